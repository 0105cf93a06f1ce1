from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupRefused, Target, default_target, restore, restored_differences


class Command(BaseCommand):
    help = (
        "Rebuild a portal from a backup archive into an EMPTY database and file store. "
        "A database that has tables, or a store that holds files, is refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="The .tar written by manage.py backup.")
        parser.add_argument(
            "--database-url", help="Restore into this database instead of the portal's own."
        )

    def handle(self, *args, archive: str, database_url: str | None, **options) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"There is no backup at {path}.")
        target = Target(dict(dj_database_url.parse(database_url))) if database_url else None
        try:
            manifest = restore(path, target=target or default_target())
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        differences = list(restored_differences(manifest, target or default_target()))
        if differences:
            raise CommandError(
                "The restored tables differ from the backup: " + "; ".join(differences)
            )
        files = sum(1 for name in manifest["members"] if name.startswith("files/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: {len(manifest['tables'])} "
                f"tables and {files} files, every checksum verified."
            )
        )

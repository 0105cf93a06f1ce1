from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupRefused, Target, backup, default_target


class Command(BaseCommand):
    help = (
        "Write a backup archive: the database (pg_dump custom format, or a safe SQLite copy), "
        "every uploaded file and a manifest.json with their SHA-256 checksums."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "destination",
            nargs="?",
            default="backups",
            help="A folder (a new bluelight-<time>.tar is written in it) or the archive's path.",
        )
        parser.add_argument(
            "--database-url", help="Back up this database instead of the portal's own."
        )

    def handle(self, *args, destination: str, database_url: str | None, **options) -> None:
        path = Path(destination)
        if not path.suffix:
            path.mkdir(parents=True, exist_ok=True)
        target = Target(dict(dj_database_url.parse(database_url))) if database_url else None
        try:
            written = backup(path, target=target or default_target())
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written}"))

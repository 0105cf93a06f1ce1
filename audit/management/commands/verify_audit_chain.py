from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.chain import chain_breaks
from audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain: each event still matches its hash and follows the "
        "one before it. Exits with an error naming each event that was changed or removed."
    )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The audit trail is hash-chained on PostgreSQL only.")
        breaks = list(chain_breaks())
        for found in breaks:
            where = f"position {found.position}" if found.position else "outside the chain"
            self.stderr.write(f"Audit event {found.event_id} ({where}): {found.problem}.")
        if breaks:
            raise CommandError(f"The audit chain is broken in {len(breaks)} place(s).")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit chain holds: {count} events checked."))

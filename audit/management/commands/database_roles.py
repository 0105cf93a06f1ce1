import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.database_roles import role_statements
from core.deletion import record_tables


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the database's two roles: the owner that migrations run "
        "as, and the portal's own role, which owns nothing, may only insert into and read the "
        "audit trail and may not delete the rows that are part of the record. Run it as a role "
        "allowed to create roles (e.g. postgres), before and after the migrations. Passwords "
        "come from OWNER_DATABASE_PASSWORD and PORTAL_DATABASE_PASSWORD, never the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="bluelight_owner", help="The owner role's name.")
        parser.add_argument("--portal", default="bluelight_portal", help="The portal's role.")
        parser.add_argument(
            "--print", action="store_true", help="Print the statements instead of running them."
        )

    def handle(self, *args, owner: str, portal: str, print: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are set up on PostgreSQL only.")
        connection.ensure_connection()
        passwords = [
            os.environ.get("OWNER_DATABASE_PASSWORD") or None,
            os.environ.get("PORTAL_DATABASE_PASSWORD") or None,
        ]
        if print:  # the printed statements never show a password
            passwords = ["********" if password else None for password in passwords]
        statements = role_statements(
            database=connection.settings_dict["NAME"],
            owner=owner,
            portal=portal,
            owner_password=passwords[0],
            portal_password=passwords[1],
            record_tables=record_tables(),
        )
        raw = connection.connection
        texts = [statement.as_string(raw) for statement in statements]
        if print:
            self.stdout.write(";\n".join(texts) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for text in texts:
                cursor.execute(text)
        self.stdout.write(
            self.style.SUCCESS(
                f"{owner} owns the database; {portal} may use it, only insert into and "
                "read the audit trail, and delete no row that is part of the record."
            )
        )

"""One migration for the whole run: with pytest-xdist, the first test process migrates a template
database and every process's own test database is created from it (PostgreSQL's CREATE
DATABASE ... TEMPLATE, a copy of its files), instead of each process applying every migration
itself. The last process to make its database drops the template.

The test databases are the same as before (the same migrations applied, by Django's own
create_test_db, with Django's migrate run again on each copy, finding nothing left to apply).
A run in one process, with --reuse-db or --no-migrations, or on another database than
PostgreSQL, makes its database as pytest-django always does.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Held by one test process at a time (the lock file is shared by the processes of a run)."""
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _exists(name: str) -> bool:
    from django.db import connection

    with connection.creation._nodb_cursor() as cursor:
        return bool(connection.creation._database_exists(cursor, name))


def _drop(name: str) -> None:
    from django.db import connection

    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def _migrate_template(name: str) -> None:
    """The template made by Django's create_test_db under the template's name, every migration
    applied; the connection's settings are put back as they were afterwards."""
    from django.db import connection

    settings_dict = connection.settings_dict
    saved_name, saved_test = settings_dict["NAME"], dict(settings_dict["TEST"])
    settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        connection.close()
        settings_dict["NAME"] = saved_name
        settings_dict["TEST"].clear()
        settings_dict["TEST"].update(saved_test)


def in_use(keepdb: bool, use_migrations: bool) -> bool:
    """Whether this process's test database is copied from a template."""
    from django.db import connection

    return (
        os.environ.get("PYTEST_XDIST_WORKER") is not None
        and connection.vendor == "postgresql"
        and use_migrations
        and not keepdb
    )


def prepare(shared: Path) -> str:
    """The template migrated (by whichever process comes first) and named as the one this
    process's test database is created from."""
    from django.db import connection

    worker = os.environ["PYTEST_XDIST_WORKER"]
    test_name = connection.settings_dict["TEST"]["NAME"]
    template = f"{test_name.removesuffix(f'_{worker}')}_template"
    made = shared / f"{template}.made"
    with _locked(shared / f"{template}.lock"):
        # Made afresh by the first process of this run (never one left by an earlier run);
        # again if the processes had already dropped it (a test process started anew).
        if not made.exists() or not _exists(template):
            _drop(template)
            _migrate_template(template)
            made.write_text("")
    connection.settings_dict["TEST"]["TEMPLATE"] = template
    return template


def release(template: str, shared: Path) -> None:
    """This process has its copy: the last process of the run to get one drops the template."""
    from django.db import connection

    connection.settings_dict["TEST"].pop("TEMPLATE", None)
    copies = shared / f"{template}.copies"
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    with _locked(shared / f"{template}.lock"):
        count = int(copies.read_text() or 0) + 1 if copies.exists() else 1
        copies.write_text(str(count))
        if count >= workers:
            _drop(template)

"""Versions of the portal's data, kept by PostgreSQL, for caches of what is drawn from it.

A version is a row of ``opportunities_dataversion`` (name, number); the number comes from a
sequence, so it never repeats, even after a rolled-back write. Triggers move it whenever the
tables it covers are written: ``QuerySet.update()``, bulk inserts and raw SQL all count. Read a
version *before* the data it keys: a cache entry then never holds data older than its key.

- ``register`` (opportunities/versions.py): the register's tables, moved once per transaction
  as it commits (migration ``opportunities 0021_register_version_at_commit``).
- ``pages`` (PAGES): every table of the portal but those in ``NOT_PAGE_DATA``, for whole pages
  kept for a moment (core/page_cache.py). Row triggers installed on every table after each
  ``migrate`` (``install_page_triggers``), so a table added later is covered too. They are
  deferred: the row is moved as the writer commits, after every other lock it takes, so
  writers never wait for each other on it halfway through a transaction (and cannot deadlock
  over it); once a transaction, however many rows it writes. A test's transaction, never
  committed, makes them fire at each write instead (``SET CONSTRAINTS ... IMMEDIATE`` and the
  setting ``bluelight.versions_each_write``, tests/conftest.py).

On other databases (SQLite, for ``make run``) there are no triggers and every version is None:
callers then build afresh every time.
"""

from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

PAGES = "pages"  # named in BUMP_FUNCTION too

SELECT_VERSION = "SELECT version FROM opportunities_dataversion WHERE name = %s"
START_VERSION = (
    "INSERT INTO opportunities_dataversion (name, version) "
    "VALUES (%s, nextval('opportunities_dataversion_seq')) ON CONFLICT (name) DO NOTHING"
)

# Written while people only read: sessions (and the sessions page's "last seen", touched once a
# minute), sign-in attempts, and the versions themselves. Nothing a cached page shows comes
# from them.
NOT_PAGE_DATA = (
    "django_session",
    "django_migrations",
    "opportunities_dataversion",
    "boards_signedinsession",
)
NOT_PAGE_DATA_PREFIXES = ("axes_",)

TRIGGER = "bluelight_pages_version"
TRUNCATE_TRIGGER = "bluelight_pages_version_truncate"


def data_version(name: str) -> int | None:
    """The version ``name`` now, or None where versions are not kept."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(SELECT_VERSION, [name])
        row = cursor.fetchone()
        if row is None:
            # Emptied by a TRUNCATE of every table (a test database being flushed), or not yet
            # started: started from the sequence, which a flush leaves alone, so no number
            # comes back.
            cursor.execute(START_VERSION, [name])
            cursor.execute(SELECT_VERSION, [name])
            row = cursor.fetchone()
    return row[0] if row else None


BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION bluelight_bump_pages_version() RETURNS trigger AS $$
BEGIN
    -- A database taken back past the versions' own migration keeps its tables writable.
    IF to_regclass('opportunities_dataversion') IS NULL THEN
        RETURN NULL;
    END IF;
    -- At commit, once a transaction ('once': the setting is local to it); where a transaction
    -- has the triggers fire at each write instead (a test's, never committed: tests/conftest.py),
    -- every time.
    IF TG_ARGV[0] = 'once'
            AND current_setting('bluelight.versions_each_write', true) IS DISTINCT FROM 'yes' THEN
        IF current_setting('bluelight.pages_moved', true) = 'yes' THEN
            RETURN NULL;
        END IF;
        PERFORM set_config('bluelight.pages_moved', 'yes', true);
    END IF;
    UPDATE opportunities_dataversion
    SET version = nextval('opportunities_dataversion_seq')
    WHERE name = 'pages';
    IF NOT FOUND THEN
        INSERT INTO opportunities_dataversion (name, version)
        VALUES ('pages', nextval('opportunities_dataversion_seq'))
        ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def page_tables(db: BaseDatabaseWrapper) -> list[str]:
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
    return sorted(
        table
        for table in tables
        if table not in NOT_PAGE_DATA and not table.startswith(NOT_PAGE_DATA_PREFIXES)
    )


def install_page_triggers(db: BaseDatabaseWrapper = connection) -> int:
    """Puts the ``pages`` triggers on every table that lacks them (on all of them again when
    ``DATA_VERSIONS_AT_COMMIT`` has changed); how many tables were given them."""
    if db.vendor != "postgresql":
        return 0
    deferred = getattr(settings, "DATA_VERSIONS_AT_COMMIT", True)
    timing = "DEFERRABLE INITIALLY DEFERRED" if deferred else "NOT DEFERRABLE"
    with db.cursor() as cursor:
        cursor.execute(BUMP_FUNCTION)
        cursor.execute(
            "SELECT c.relname, t.tgdeferrable FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
            [TRIGGER],
        )
        present = dict(cursor.fetchall())
        given = 0
        for table in page_tables(db):
            if table in present and present[table] == deferred:
                continue
            quoted = db.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quoted}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {quoted}")
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {quoted} {timing} FOR EACH ROW "
                f"EXECUTE FUNCTION bluelight_bump_pages_version('{'once' if deferred else 'each'}')"
            )
            cursor.execute(
                f"CREATE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON {quoted} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bluelight_bump_pages_version('each')"
            )
            given += 1
    return given

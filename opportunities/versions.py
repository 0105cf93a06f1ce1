"""The version of the register's data, for caches of what is drawn from it.

``register_version()`` is one primary-key read of ``DataVersion``; PostgreSQL moves it once for
every transaction that INSERTs, UPDATEs or DELETEs rows of the tables in ``REGISTER_TABLES``
(triggers, so ``QuerySet.update()``, bulk inserts and raw SQL all count), as that transaction
commits: a reader sees the new version exactly when it sees the new rows. Read the version
*before* the data it keys: a cache entry then never holds data older than its key.

The triggers are deferred to the commit (migration ``0021_register_version_at_commit``), so the
version's one row is locked only for the moment of a commit, never from a transaction's first
write to its end: writers do not wait for one another, nor deadlock over it. Inside a
transaction the portal opened, the version does not show its own writes yet, so nothing read
there is kept under a version (``register_version()`` is None: build afresh). A TRUNCATE
moves it at once.

On other databases (SQLite, for ``make run``) there are no triggers and the version is None:
callers then build afresh every time.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from core import caching
from core.data_versions import data_version

REGISTER = "register"
# Whatever the dashboard's figures and the public register are drawn from: opportunities and
# their bodies, recommendations and the bodies' decisions, benefits, reviews and milestones,
# the meetings' agreement of recommendations (an exempt item keeps decisions off the public
# register), and the boards and bodies themselves (names, membership, public pages).
REGISTER_TABLES = (
    "opportunities_opportunity",
    "opportunities_opportunity_participating_organisations",
    "opportunities_recommendation",
    "opportunities_referral",
    "opportunities_benefit",
    "opportunities_review",
    "opportunities_milestone",
    "meetings_agreedrecommendation",
    "boards_agendaitem",
    "boards_organisation",
    "boards_board",
    "boards_board_organisations",
)


# The name of the triggers that move it, the same on every table (a test's transaction, which
# never commits, sets them IMMEDIATE: ``SET CONSTRAINTS register_version IMMEDIATE``).
VERSION_TRIGGER = "register_version"


def register_version() -> int | None:
    """The register's data version now, or None where versions are not kept: on another
    database, or inside a transaction the portal opened (its own writes, which may yet be rolled
    back, move the version only as it commits)."""
    if caching.in_application_transaction():
        return None
    return data_version(REGISTER)


def cache_key(prefix: str, version: int, *parts: object) -> str:
    """A cache key for data at ``version``; the database's name is part of it, so databases
    sharing one cache (the test run's workers, a rehearsal copy) never read each other's."""
    database = settings.DATABASES["default"]["NAME"]
    return ":".join(str(part) for part in (prefix, database, version, *parts))


COUNT_CACHE_SECONDS = 3600


def cached_count(queryset: QuerySet) -> int:
    """``queryset.count()``, kept while the register's data is unchanged. The key is the
    query's own SQL and parameters (who may see what, every filter, today's date where a filter
    uses it), so two people share a count only when they would count the very same rows. Only
    for querysets over the tables in ``REGISTER_TABLES``."""
    version = register_version()
    if version is None:
        return queryset.count()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # the person may see nothing at all
        return 0
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return caching.cached(
        cache_key("count", version, queryset.model._meta.label_lower, digest),
        COUNT_CACHE_SECONDS,
        queryset.count,
    )

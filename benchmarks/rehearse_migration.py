"""Rehearse migrating the benchmark database from an older checkout of the portal to this one.

Builds the PostgreSQL database `rehearsal_bench` with the older checkout's own code (its
migrations, its `seed_demo` and its `list_pages.py` data: 10 000 opportunities, 100 000 audit
events, 1 000 meetings...), counts the rows of every table, runs this checkout's `migrate` on it
and counts again. Then checks that the meeting models' content types now say `meetings` (and
kept their ids, so permissions, admin history and audit events still point at them), that
`migrate --check` and `makemigrations --check` find nothing left to do, and writes the figures
to benchmarks/results/migration_rehearsal.md. Run by hand:

    git worktree add --detach /tmp/old 9876d3a     # the commit before meetings left boards
    .venv/bin/python benchmarks/rehearse_migration.py [--old /tmp/old] [--keep-data]

The older checkout is only read: its data builder runs with this checkout's batch sizes
(core/batching.py) patched into bulk_create, as older builders exceed PostgreSQL's 65 535 bind
parameters a statement. --keep-data skips the build and migrates an existing database again
(counting against the rows as they are).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "migration_rehearsal.md"
MEETING_MODELS = [
    "action",
    "agendaitem",
    "calendarfeed",
    "declarationofinterest",
    "meeting",
    "meetinginvitation",
    "paper",
    "paperversion",
]

# Run with this checkout's code on the migrated database: the moved models read their tables, and
# their content types are the relabelled rows (get_for_model would add a row otherwise).
READ_TABLES = {
    "Meeting": "boards_meeting",
    "MeetingInvitation": "boards_meetinginvitation",
    "AgendaItem": "boards_agendaitem",
    "Paper": "boards_paper",
}
READ_NEW = """
import sys
import django; django.setup()
from django.contrib.contenttypes.models import ContentType
from meetings import models
for name in sys.argv[1:]:
    model = getattr(models, name)
    kind = ContentType.objects.get_for_model(model)
    print(f"{name}: {model.objects.count()} rows, content type {kind.pk} {kind.app_label}")
"""

# Run by the older checkout's interpreter: its own data builder, with bulk_create batched.
GENERATE_OLD = """
import importlib.util, runpy, sys
spec = importlib.util.spec_from_file_location("batching", {batching!r})
batching = importlib.util.module_from_spec(spec)
spec.loader.exec_module(batching)
from django.db.models import QuerySet
original = QuerySet.bulk_create
def bulk_create(self, objs, batch_size=None, **kwargs):
    safe = batching.batch_size_for(self.model)
    return original(self, objs, batch_size=min(batch_size or safe, safe), **kwargs)
QuerySet.bulk_create = bulk_create
sys.path.insert(0, {benchmarks!r})
runpy.run_path({list_pages!r})["generate"]()
"""


def environment(database: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres:postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": "",
        "DEBUG": "false",
        "BLUELIGHT_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "bluelight.settings",
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], *, cwd: Path, env: dict, check: bool = True):
    return subprocess.run(args, cwd=cwd, env=env, check=check, capture_output=True, text=True)


# Changes this checkout makes on purpose: where a recommendation was agreed moves from a column of
# opportunities_recommendation to the new table meetings_agreedrecommendation (with the four
# permissions and the content type of the new model). They are checked, not flagged.
ADDED_TABLES = {"meetings_agreedrecommendation"}
RESHAPED_TABLES = {"opportunities_recommendation"}
GROWN_TABLES = {"auth_permission": 4, "django_content_type": 1}
AGREED_AT_BEFORE = (
    "SELECT id, agenda_item_id FROM opportunities_recommendation "
    "WHERE agenda_item_id IS NOT NULL ORDER BY id"
)
AGREED_AT_AFTER = (
    "SELECT recommendation_id, agenda_item_id FROM meetings_agreedrecommendation "
    "ORDER BY recommendation_id"
)
# The benchmark data links no recommendation to its agenda item; a tenth of them are linked to
# an item of their board's meetings before migrating, so the move of that link is rehearsed.
LINK_SOME = """
UPDATE opportunities_recommendation r SET agenda_item_id = (
    SELECT i.id FROM boards_agendaitem i
    JOIN boards_meeting m ON m.id = i.meeting_id
    JOIN opportunities_opportunity o ON o.board_id = m.board_id
    WHERE o.id = r.opportunity_id ORDER BY i.id LIMIT 1)
WHERE r.id % 10 = 0 AND r.agenda_item_id IS NULL
"""


def psql(database: str, sql: str) -> list[list[str]]:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-AtF", "\t", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def build(old: Path, database: str) -> float:
    """The database as the older checkout builds it; returns the seconds taken."""
    env = environment(database)
    started = time.monotonic()
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    run([sys.executable, "manage.py", "migrate", "-v0"], cwd=old, env=env)
    run([sys.executable, "manage.py", "seed_demo"], cwd=old, env=env)
    code = GENERATE_OLD.format(
        batching=str(ROOT / "core" / "batching.py"),
        benchmarks=str(old / "benchmarks"),
        list_pages=str(old / "benchmarks" / "list_pages.py"),
    )
    run([sys.executable, "-c", code], cwd=old, env=env)
    psql(database, "VACUUM ANALYZE")
    return time.monotonic() - started


def snapshot(database: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a digest of its rows."""
    tables = [
        row[0]
        for row in psql(
            database,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
        )
    ]
    figures = {}
    for table in tables:
        rows = "string_agg(md5(t::text), '' ORDER BY md5(t::text))"
        count, digest = psql(
            database, f"SELECT count(*), md5(coalesce({rows}, '')) FROM \"{table}\" t"
        )[0]
        figures[table] = (int(count), digest)
    return figures


def content_types(database: str) -> dict[str, tuple[str, str]]:
    models = ", ".join(f"'{m}'" for m in MEETING_MODELS)
    rows = psql(
        database,
        f"SELECT model, id, app_label FROM django_content_type WHERE model IN ({models}) "
        "ORDER BY model, app_label",
    )
    return {model: (pk, app_label) for model, pk, app_label in rows}


def references(database: str) -> dict[str, int]:
    """Rows elsewhere that point at the meeting models' content types."""
    models = ", ".join(f"'{m}'" for m in MEETING_MODELS)
    types = f"(SELECT id FROM django_content_type WHERE model IN ({models}))"
    columns = {
        "auth_permission": "content_type_id",
        "audit_auditevent": "subject_type_id",
        "django_admin_log": "content_type_id",
    }
    return {
        table: int(psql(database, f"SELECT count(*) FROM {table} WHERE {column} IN {types}")[0][0])
        for table, column in columns.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", type=Path, default=Path("/tmp/old"))
    parser.add_argument("--database", default="rehearsal_bench")
    parser.add_argument("--keep-data", action="store_true")
    options = parser.parse_args()
    old = options.old.resolve()
    database = options.database
    env = environment(database)
    old_commit = run(
        ["git", "log", "-1", "--format=%h %<(60,trunc)%s"], cwd=old, env=env
    ).stdout.strip()
    new_commit = run(
        ["git", "log", "-1", "--format=%h %<(60,trunc)%s"], cwd=ROOT, env=env
    ).stdout.strip()

    build_seconds = None if options.keep_data else build(old, database)
    has_column = psql(
        database,
        "SELECT count(*) FROM information_schema.columns WHERE "
        "table_name = 'opportunities_recommendation' AND column_name = 'agenda_item_id'",
    ) == [["1"]]
    if has_column:
        psql(database, LINK_SOME)
    agreed_before = psql(database, AGREED_AT_BEFORE) if has_column else []
    before = snapshot(database)
    types_before = content_types(database)
    references_before = references(database)
    plan = run([sys.executable, "manage.py", "showmigrations", "--plan"], cwd=ROOT, env=env).stdout
    to_apply = [
        line.split("]", 1)[1].strip() for line in plan.splitlines() if line.startswith("[ ]")
    ]

    started = time.monotonic()
    migrate = run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env)
    migrate_seconds = time.monotonic() - started

    after = snapshot(database)
    agreed_after = psql(database, AGREED_AT_AFTER)
    types_after = content_types(database)
    references_after = references(database)
    migrate_check = run(
        [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=env, check=False
    )
    makemigrations = run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        check=False,
    )
    reads = run([sys.executable, "-c", READ_NEW, *READ_TABLES], cwd=ROOT, env=env, check=False)

    problems = []
    lines = [
        f"# Migration rehearsal — {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"- Database `{database}` built by the older checkout: `{old_commit}`",
        f"- Migrated by this checkout: `{new_commit}`",
    ]
    if build_seconds is not None:
        lines.append(
            f"- Build (old code: migrate, seed_demo, list_pages data): {build_seconds:.0f} s"
        )
    lines += [
        f"- `migrate` (new code): {migrate_seconds:.1f} s, applying "
        + (", ".join(f"`{m}`" for m in to_apply) or "nothing"),
        "",
        "## Rows per table",
        "",
        "Digest: an md5 over every row's text, so a table whose rows changed shows it even when "
        "its count did not.",
        "",
        "| table | before | after | difference | rows unchanged |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    expected_changes = {"django_migrations", "django_content_type"}
    for table in sorted(before.keys() | after.keys()):
        count_before, digest_before = before.get(table, (None, None))
        count_after, digest_after = after.get(table, (None, None))
        if count_before is None or count_after is None:
            if not (count_before is None and table in ADDED_TABLES):
                problems.append(f"table {table} {'added' if count_before is None else 'removed'}")
            lines.append(f"| {table} | {count_before} | {count_after} | — | — |")
            continue
        same = digest_before == digest_after
        lines.append(
            f"| {table} | {count_before:,} | {count_after:,} | {count_after - count_before:+,} "
            f"| {'yes' if same else 'no'} |"
        )
        grown = GROWN_TABLES.get(table, 0) if table in after and table in before else 0
        if count_after != count_before + grown and table != "django_migrations":
            problems.append(f"{table}: {count_before} rows before, {count_after} after")
        if not same and table not in expected_changes | RESHAPED_TABLES | set(GROWN_TABLES):
            problems.append(f"{table}: rows changed")
    applied = after["django_migrations"][0] - before["django_migrations"][0]
    if applied != len(to_apply):
        problems.append(f"{applied} migrations recorded, {len(to_apply)} planned")
    lines += [
        "",
        "## Content types of the meeting models",
        "",
        "| model | before (id, app) | after (id, app) |",
        "| --- | --- | --- |",
    ]
    for model in MEETING_MODELS:
        was, now = types_before.get(model), types_after.get(model)
        lines.append(f"| {model} | {was} | {now} |")
        if now is None or now[1] != "meetings":
            problems.append(f"content type {model}: {now}")
        elif was is not None and was[0] != now[0]:
            problems.append(f"content type {model} changed id {was[0]} -> {now[0]}")
    lines += ["", "Rows pointing at those content types (before → after):", ""]
    for table, count in references_before.items():
        lines.append(f"- {table}: {count:,} → {references_after[table]:,}")
        if references_after[table] != count:
            problems.append(
                f"{table}: {count} rows on meeting content types, now {references_after[table]}"
            )
    lines += [
        "",
        "## Checks with the new code",
        "",
        f"- `migrate --check`: exit {migrate_check.returncode}"
        + (f" — {migrate_check.stdout.strip()}" if migrate_check.stdout.strip() else ""),
        f"- `makemigrations --check --dry-run`: exit {makemigrations.returncode} — "
        + (makemigrations.stdout.strip().replace("\n", "; ") or "(no output)"),
    ]
    if migrate_check.returncode:
        problems.append("migrate --check: unapplied migrations")
    if makemigrations.returncode:
        problems.append("makemigrations --check: changes not in migrations")
    lines.append("- The new code reads the moved tables through `meetings.models`:")
    lines += [f"  - {line}" for line in reads.stdout.splitlines()]
    if reads.returncode:
        problems.append(f"reading through meetings.models failed: {reads.stderr.strip()[-300:]}")
    else:
        read = dict(line.split(": ", 1) for line in reads.stdout.splitlines())
        for model, table in READ_TABLES.items():
            count, *_, kind, _app = read[model].split()
            if int(count) != after[table][0]:
                problems.append(f"{model}: {read[model]}, table {table} has {after[table][0]}")
            if kind != types_after[model.lower()][0]:
                problems.append(f"{model}: {read[model]}, not the relabelled content type")
    lines += [
        "",
        "## Where recommendations were agreed",
        "",
        f"- Recommendations naming their agenda item before: {len(agreed_before):,}; links in "
        f"`meetings_agreedrecommendation` after: {len(agreed_after):,}",
    ]
    if has_column and agreed_after != agreed_before:
        problems.append("the agreed-at links after the migration differ from those before")
    if has_column and not agreed_before:
        problems.append("no recommendation was linked to an agenda item: nothing was rehearsed")
    lines += ["", "## Output of `migrate`", "", "```", migrate.stdout.strip(), "```"]
    lines += ["", "## Result", ""]
    lines += [f"- PROBLEM: {p}" for p in problems] or ["No problems: every check passed."]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

"""The benchmark's data: the demo board plus bulk rows, at scale 1 or 10.

At scale 1: 10 000 opportunities, 100 000 audit events, 1 000 meetings (7 000 invitations, 3 000
agenda items), 50 000 notifications, 3 000 recommendations with 9 000 referrals, and two reviews
with realised benefits, plus estimates, for every opportunity under review. Scale 10 has ten
times each.

The rows go in with PostgreSQL's COPY (psycopg's ``cursor.copy``), with ids taken from each
table's own sequence, so the triggers that fill the search documents still run. Audit events
are hash-chained (audit/migrations/0004_hash_chain.py): the builder computes each event's
hash in Python over the same canonical text as ``audit_event_canonical`` and copies the
events with the chaining trigger switched off for that one transaction (it runs as the
tables' owner), so ``manage.py verify_audit_chain`` holds afterwards.

    python benchmarks/bulk_data.py --scale 10     # run by build_database, in its environment
"""

import argparse
import hashlib
import operator
import os
import random
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, timedelta
from typing import Any

from environment import database_for, database_url, manage, psql, run_script

SIZES = {
    "opportunities": 10_000,
    "audit events": 100_000,
    "recommendations": 3_000,
    "meetings": 1_000,
    "notifications": 50_000,
}
CHUNK = 20_000

TOPICS = [
    "joint arson reduction patrols",
    "shared estates and co-located stations",
    "joint control room",
    "fleet maintenance workshop",
    "falls response with social care",
    "shared training centre",
    "drone unit",
    "mobile data terminals",
]


def describe(scale: int) -> str:
    def n(name: str, times: int = 1) -> str:
        return f"{SIZES[name] * scale * times:,}".replace(",", " ")

    return (
        f"{n('opportunities')} opportunities, {n('audit events')} audit events, "
        f"{n('recommendations')} recommendations with {n('recommendations', 3)} referrals, "
        f"{n('meetings')} meetings with {n('meetings', 7)} invitations and "
        f"{n('meetings', 3)} agenda items, {n('notifications')} notifications, reviews and "
        "benefits for every opportunity under review"
    )


def build_database(scale: int) -> dict[str, float]:
    """Drop and build the scale's database from nothing; the seconds each step took."""
    database = database_for(scale)
    timings: dict[str, float] = {}
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for command in ("dropdb", "createdb"):
        subprocess.run(
            [command, "-h", "127.0.0.1", "-U", "postgres"]
            + (["--if-exists"] if command == "dropdb" else [])
            + [database],
            check=True,
        )
    manage(database, "migrate", "-v0")
    manage(database, "seed_demo", "-v0")
    timings["migrate and demo data"] = time.monotonic() - started
    step = time.monotonic()
    run_script(database, "bulk_data.py", "--scale", str(scale))
    timings["bulk rows (COPY)"] = time.monotonic() - step
    step = time.monotonic()
    # Fresh statistics, as autovacuum would gather on a live database.
    subprocess.run(["psql", database_url(database), "-qc", "VACUUM ANALYZE"], check=True)
    timings["VACUUM ANALYZE"] = time.monotonic() - step
    timings["total"] = time.monotonic() - started
    record_build(database, timings, (load_before, os.getloadavg()[0]))
    return timings


def record_build(database: str, timings: dict[str, float], load: tuple[float, float]) -> None:
    """Keep how long the build took with the database (its comment), for --keep-data runs."""
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items())
    note = (
        f"built {time.strftime('%Y-%m-%d %H:%M %Z')} in {steps}; load average before and "
        f"after {load[0]:.1f}, {load[1]:.1f}"
    ).replace("'", "")
    psql("postgres", f"COMMENT ON DATABASE {database} IS '{note}'")


def recorded_build(database: str) -> str:
    return psql(
        "postgres",
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database "
        f"WHERE datname = '{database}'",
    )


def bring_up_to_date(scale: int) -> bool:
    """Migrate a kept database to this checkout's schema (VACUUM ANALYZE after any migration);
    True if anything was migrated."""
    database = database_for(scale)
    plan = manage(database, "migrate", "--plan", capture=True)
    pending = "No planned migration operations" not in plan
    if pending:
        manage(database, "migrate", "-v0")
        psql(database, "VACUUM ANALYZE")
    return pending


# --- COPY ----------------------------------------------------------------------------------------


def _reserve_ids(cursor, table: str, column: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's sequence (the builder is
    the database's only writer)."""
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) "
        "+ %s - 1)",
        [table, column, table, column, count],
    )
    return cursor.fetchone()[0] - count + 1


def _column_values(fields, connection) -> list[Callable[[Any], Any]]:
    """For each field, how to read an instance's value for COPY: plain values (text, numbers,
    booleans, dates and times, foreign keys) as they are, psycopg adapting them; anything else
    (JSON, automatic timestamps, search documents...) the way Django prepares it for a save."""
    from django.db import models

    plain = (
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BooleanField,
        models.ForeignKey,
        models.DateField,  # DateTimeField is one
    )
    readers = []
    for f in fields:
        automatic = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if (
            isinstance(f, plain)
            and not automatic
            # A field of the portal's own that turns its value into a column (the marking's
            # descriptors) goes the slow way.
            and "get_prep_value" not in vars(type(f))
            and type(f).get_db_prep_value
            in (
                models.Field.get_db_prep_value,
                models.DateField.get_db_prep_value,
                models.DateTimeField.get_db_prep_value,
                models.IntegerField.get_db_prep_value,
                models.ForeignKey.get_db_prep_value,
            )
        ):
            readers.append(operator.attrgetter(f.attname))
        else:
            readers.append(lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), connection))
    return readers


def copy_insert(model, objects: Iterable[Any], *, keep: bool = True) -> list[Any]:
    """Insert unsaved model instances with COPY, a chunk at a time; each gets its id. Returns
    them (or, with keep=False, nothing: the big tables are streamed)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields]
    readers = _column_values(fields, connection)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    kept: list[Any] = []
    iterator = iter(objects)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        while chunk := [o for _, o in zip(range(CHUNK), iterator, strict=False)]:
            first = _reserve_ids(cursor, meta.db_table, meta.pk.column, len(chunk))
            with cursor.copy(statement) as copy:
                for offset, obj in enumerate(chunk):
                    setattr(obj, meta.pk.attname, first + offset)
                    obj._state.adding = False
                    copy.write_row([read(obj) for read in readers])
            if keep:
                kept.extend(chunk)
    return kept


def copy_audit_events(rows: Iterator[tuple], count: int) -> None:
    """Append ``count`` audit events to the hash chain: ``rows`` gives (at, actor id, subject
    type id, subject id, verb, summary) for each. Hashes as the chaining trigger computes them
    (over ``audit_event_canonical``'s text), written with the trigger off in this transaction."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('audit_auditevent chain'))")
        # Foreign keys are checked as each statement ends, not at commit: the trigger may be
        # switched off and on again only with no checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_chain")
        cursor.execute(
            "SELECT chain_position, hash FROM audit_auditevent WHERE chain_position IS NOT NULL "
            "ORDER BY chain_position DESC LIMIT 1"
        )
        position, previous = cursor.fetchone() or (0, "")
        first = _reserve_ids(cursor, "audit_auditevent", "id", count)
        statement = (
            "COPY audit_auditevent (id, chain_position, prev_hash, hash, at, actor_id, "
            "subject_type_id, subject_id, verb, summary, before, after, username, address, "
            "user_agent, path) FROM STDIN"
        )
        with cursor.copy(statement) as copy:
            for offset, (at, actor, subject_type, subject, verb, summary) in enumerate(rows):
                event_id, position = first + offset, position + 1
                canonical = "|".join(
                    [
                        str(position),
                        str(event_id),
                        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
                        "-" if actor is None else str(actor),
                        "-" if subject_type is None else str(subject_type),
                        "-" if subject is None else str(subject),
                        verb,
                        summary,
                        "{}",  # before::text
                        "{}",  # after::text
                        "",  # username
                        "-",  # host(address)
                        "",  # user_agent
                        "",  # path
                        previous,
                    ]
                )
                digest = hashlib.sha256(canonical.encode()).hexdigest()
                copy.write_row(
                    (
                        event_id,
                        position,
                        previous,
                        digest,
                        at,
                        actor,
                        subject_type,
                        subject,
                        verb,
                        summary,
                        "{}",
                        "{}",
                        "",
                        None,
                        "",
                        "",
                    )
                )
                previous = digest
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_chain")


# --- The rows ------------------------------------------------------------------------------------


def generate(scale: int) -> None:
    """Bulk rows, written directly: the point is the size of the tables, not their history."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from boards.models import Board, User
    from opportunities.models import Opportunity, Rag, Recommendation, Referral, Status, Theme

    board = Board.objects.get()
    bodies = list(board.organisations.filter(active=True))
    people = list(User.objects.order_by("pk"))
    now = timezone.now()
    today = timezone.localdate()
    rng = random.Random(2017)
    timed = _timer()
    opportunities = timed(
        "opportunities",
        lambda: copy_insert(
            Opportunity,
            (
                Opportunity(
                    board=board,
                    title=f"Collaboration opportunity {n:05d}: {rng.choice(TOPICS)}",
                    summary="Joint working between the services. " * 5,
                    theme=rng.choice(Theme.values),
                    lead_organisation=rng.choice(bodies),
                    proposed_by=rng.choice(people),
                    status=rng.choice(Status.values),
                    rag=rng.choice(["", *Rag.values]),
                    next_review_on=today + timedelta(days=rng.randint(-60, 300)),
                )
                for n in range(SIZES["opportunities"] * scale)
            ),
        ),
    )
    through = Opportunity.participating_organisations.through
    timed(
        "participating bodies",
        lambda: copy_insert(
            through,
            (
                through(opportunity_id=o.pk, organisation_id=body.pk)
                for o in opportunities
                for body in rng.sample(bodies, 2)
            ),
            keep=False,
        ),
    )
    recommendations = timed(
        "recommendations",
        lambda: copy_insert(
            Recommendation,
            (
                Recommendation(
                    opportunity=o,
                    version=1,
                    wording="The board recommends it.",
                    agreed_on=today - timedelta(days=90),
                    decision_due_on=today + timedelta(days=rng.randint(-30, 60)),
                    recorded_by=people[0],
                    sent_at=now,
                )
                for o in opportunities[: SIZES["recommendations"] * scale]
            ),
        ),
    )
    statuses = [Referral.Status.PENDING, Referral.Status.APPROVED, Referral.Status.DECLINED]
    timed(
        "referrals",
        lambda: copy_insert(
            Referral,
            (
                Referral(
                    recommendation=r,
                    organisation=body,
                    due_on=r.decision_due_on,
                    sent_at=now,
                    status=(status := rng.choice(statuses)),
                    decided_at=None if status == Referral.Status.PENDING else now,
                )
                for r in recommendations
                for body in bodies[:3]
            ),
            keep=False,
        ),
    )
    timed("meetings", lambda: _generate_meetings(board, people, now, rng, scale))
    timed("notifications", lambda: _generate_notifications(board, people, now, rng, scale))
    timed("reviews and benefits", lambda: _generate_reviews(opportunities, bodies, people, rng))
    subject_type = ContentType.objects.get_for_model(Opportunity).pk
    count = SIZES["audit events"] * scale
    start = now - timedelta(minutes=count)
    verbs = ["edited", "edited", "edited", "status_changed", "reviewed"]
    timed(
        "audit events (hash-chained)",
        lambda: copy_audit_events(
            (
                (
                    start + timedelta(minutes=n),
                    people[n % len(people)].pk,
                    subject_type,
                    opportunities[n % len(opportunities)].pk,
                    verbs[n % len(verbs)],
                    f"Event {n}",
                )
                for n in range(count)
            ),
            count,
        ),
    )


def _timer() -> Callable[[str, Callable[[], Any]], Any]:
    def timed(what: str, step: Callable[[], Any]) -> Any:
        started = time.monotonic()
        result = step()
        print(f"  {what}: {time.monotonic() - started:.1f} s", flush=True)
        return result

    return timed


def _generate_reviews(opportunities, bodies, people, rng) -> None:
    """Two reviews, each with realised benefits for two bodies, and the bodies' estimates, for
    every opportunity under review."""
    from django.utils import timezone

    from opportunities.models import REVIEWABLE, Benefit, Rag, Review

    today = timezone.localdate()
    reviewed = [o for o in opportunities if o.status in REVIEWABLE]
    reviews = copy_insert(
        Review,
        (
            Review(
                opportunity=o,
                held_on=today - timedelta(days=90 * n + rng.randint(1, 60)),
                conclusion="Progress as planned; benefits are being realised.",
                rag=rng.choice(Rag.values),
                next_review_on=today + timedelta(days=rng.randint(-30, 180)),
                recorded_by=people[0],
            )
            for o in reviewed
            for n in (1, 2)
        ),
    )
    copy_insert(
        Benefit,
        (
            Benefit(
                opportunity_id=r.opportunity_id,
                organisation=body,
                kind=Benefit.Kind.REALISED,
                cashable=rng.randint(500, 20_000),
                period_end=r.held_on,
                review=r,
                recorded_by=people[0],
            )
            for r in reviews
            for body in bodies[:2]
        ),
        keep=False,
    )
    copy_insert(
        Benefit,
        (
            Benefit(
                opportunity=o,
                organisation=body,
                kind=Benefit.Kind.ESTIMATED,
                cashable=rng.randint(10_000, 90_000),
                period_end=today + timedelta(days=rng.randint(100, 900)),
                recorded_by=people[0],
            )
            for o in reviewed
            for body in bodies[:2]
        ),
        keep=False,
    )


def _generate_meetings(board, people, now, rng, scale: int) -> None:
    """Meetings over the years (at scale 1 one a week, 900 of them past with approved minutes;
    at scale 10 ten times as many over the same years), each with the board's members invited
    and three agenda items."""
    from boards.models import BoardMembership
    from meetings.models import AgendaItem, CalendarFeed, Meeting, MeetingInvitation

    members = list(BoardMembership.objects.current().filter(board=board).select_related("person"))
    past = 900 * scale
    meetings = copy_insert(
        Meeting,
        (
            Meeting(
                board=board,
                title=f"Board meeting {n}",
                venue="Shire Hall, Warwick",
                starts_at=(start := now + timedelta(hours=168 * (n - past) / scale)),
                ends_at=start + timedelta(hours=2),
                status=Meeting.Status.MINUTES_APPROVED if n < past else Meeting.Status.SCHEDULED,
                created_by=people[0],
            )
            for n in range(SIZES["meetings"] * scale)
        ),
    )
    copy_insert(
        MeetingInvitation,
        (
            MeetingInvitation(
                meeting=meeting,
                person=m.person,
                organisation=m.organisation,
                counts_for_quorum=True,
                reply=rng.choice(MeetingInvitation.Reply.values),
            )
            for meeting in meetings
            for m in members
        ),
        keep=False,
    )
    copy_insert(
        AgendaItem,
        (
            AgendaItem(
                meeting=meeting,
                position=position,
                title=f"Item {position}: {rng.choice(TOPICS)}",
                confidential=position == 3,
                minutes="The board discussed the proposal and agreed to assess it. " * 3
                if meeting.status == Meeting.Status.MINUTES_APPROVED
                else "",
            )
            for meeting in meetings
            for position in (1, 2, 3)
        ),
        keep=False,
    )
    member = next(m.person for m in members if m.person.email == "simon.ashworth@police.example")
    CalendarFeed.objects.update_or_create(person=member, defaults={"token": "bench-feed-token"})


def _generate_notifications(board, people, now, rng, scale: int) -> None:
    """Notices of the board's business (50 000 at scale 1), spread over its people."""
    from notifications.models import Notification

    statuses = [Notification.Status.SENT] * 8 + [
        Notification.Status.PENDING,
        Notification.Status.FAILED,
    ]
    copy_insert(
        Notification,
        (
            Notification(
                recipient=people[n % len(people)],
                board=board,
                kind="decision_recorded",
                event_key=f"bench:{n}",
                subject=f"BLC-{n % 10_000:04d}: a decision recorded",
                link="/register/",
                payload={},
                status=rng.choice(statuses),
                created_at=now - timedelta(minutes=n / scale),
            )
            for n in range(SIZES["notifications"] * scale)
        ),
        keep=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    options = parser.parse_args()
    generate(options.scale)


if __name__ == "__main__":
    main()

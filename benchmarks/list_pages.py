"""Requests per second of each list page against a trivial signed-in page, in one run.

Builds a PostgreSQL database `bluelight_bench` with 10 000 opportunities, 100 000 audit events
and a referral history, serves it with gunicorn, loads each page from a pool of keep-alive
clients for a fixed time and writes the figures, with the workers' resident memory, to
benchmarks/results/list_pages.txt. Run by hand:

    .venv/bin/python benchmarks/list_pages.py [--seconds 10] [--clients 4] [--keep-data]
"""

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from signed_in import session_cookie

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bluelight_bench"
DATABASE_URL = f"postgres://postgres:postgres@127.0.0.1:5432/{DATABASE}"
PORT = 8765
RESULTS = ROOT / "benchmarks" / "results" / "list_pages.txt"
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": "",
    "DEBUG": "false",
    "BLUELIGHT_ENV": "development",
    "DJANGO_SETTINGS_MODULE": "bluelight.settings",
    "LOG_LEVEL": "WARNING",
}


def use_database(name: str) -> None:
    global DATABASE, DATABASE_URL
    DATABASE = name
    DATABASE_URL = f"postgres://postgres:postgres@127.0.0.1:5432/{name}"
    ENV["DATABASE_URL"] = DATABASE_URL


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def build_database() -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    manage("migrate", "-v0")
    manage("seed_demo")
    subprocess.run([sys.executable, __file__, "--generate"], cwd=ROOT, env=ENV, check=True)
    # Fresh statistics, as autovacuum would gather on a live database.
    subprocess.run(["psql", DATABASE_URL, "-qc", "VACUUM ANALYZE"], check=True)


def generate() -> None:
    """Bulk rows, written directly: the point is the size of the tables, not their history."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from audit.models import AuditEvent
    from boards.models import Board, User
    from opportunities.models import Opportunity, Rag, Recommendation, Referral, Status, Theme

    board = Board.objects.get()
    bodies = list(board.organisations.filter(active=True))
    people = list(User.objects.all())
    now = timezone.now()
    today = timezone.localdate()
    rng = random.Random(2017)
    opportunities = insert(
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
            for n in range(10_000)
        ),
    )
    through = Opportunity.participating_organisations.through
    insert(
        through,
        (
            through(opportunity_id=o.pk, organisation_id=body.pk)
            for o in opportunities
            for body in rng.sample(bodies, 2)
        ),
    )
    recommendations = insert(
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
            for o in opportunities[:3000]
        ),
    )
    statuses = [Referral.Status.PENDING, Referral.Status.APPROVED, Referral.Status.DECLINED]
    insert(
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
    )
    _generate_meetings(board, people, now, rng)
    _generate_notifications(board, people, now, rng)
    _generate_reviews(opportunities, bodies, people, today, rng)
    subject_type = ContentType.objects.get_for_model(Opportunity)
    insert(
        AuditEvent,
        (
            AuditEvent(
                subject_type=subject_type,
                subject_id=opportunities[n % 10_000].pk,
                actor=people[n % len(people)],
                verb="edited",
                summary=f"Event {n}",
            )
            for n in range(100_000)
        ),
    )


def insert(model, rows):
    """bulk_create in batches that keep each statement under PostgreSQL's 65 535 bind
    parameters (the portal binds them server-side)."""
    from core.batching import batch_size_for

    return model.objects.bulk_create(rows, batch_size=batch_size_for(model))


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


def _generate_reviews(opportunities, bodies, people, today, rng) -> None:
    """Two reviews, each with realised benefits for two bodies, and the bodies' estimates, for
    every opportunity under review."""
    from opportunities.models import REVIEWABLE, Benefit, Rag, Review

    reviewed = [o for o in opportunities if o.status in REVIEWABLE]
    reviews = insert(
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
    insert(
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
    )
    insert(
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
    )


def _generate_meetings(board, people, now, rng) -> None:
    """1 000 meetings over the years, each with the board's members invited."""
    from boards.models import BoardMembership
    from meetings.models import AgendaItem, CalendarFeed, Meeting, MeetingInvitation

    members = list(BoardMembership.objects.current().filter(board=board).select_related("person"))
    meetings = insert(
        Meeting,
        (
            Meeting(
                board=board,
                title=f"Board meeting {n}",
                venue="Shire Hall, Warwick",
                starts_at=(start := now + timedelta(days=7 * (n - 900))),
                ends_at=start + timedelta(hours=2),
                status=Meeting.Status.MINUTES_APPROVED if n < 900 else Meeting.Status.SCHEDULED,
                created_by=people[0],
            )
            for n in range(1000)
        ),
    )
    insert(
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
    )
    insert(
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
    )
    member = next(m.person for m in members if m.person.email == "simon.ashworth@police.example")
    CalendarFeed.objects.update_or_create(person=member, defaults={"token": "bench-feed-token"})


def _generate_notifications(board, people, now, rng) -> None:
    """50 000 notices of the board's business, spread over its people."""
    from notifications.models import Notification

    statuses = [Notification.Status.SENT] * 8 + [
        Notification.Status.PENDING,
        Notification.Status.FAILED,
    ]
    insert(
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
                created_at=now - timedelta(minutes=n),
            )
            for n in range(50_000)
        ),
    )


def load(path: str, cookie: str, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second over `seconds`, from `clients` keep-alive connections."""
    counts = [0] * clients
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Host": "localhost"}
        if cookie:
            headers["Cookie"] = f"sessionid={cookie}"
        while time.monotonic() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, sum(errors)


def resident_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument(
        "--only", help="measure only the pages whose name contains this (and the baseline)"
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="with --keep-data, measure another database (a migrated copy, say); printed only",
    )
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.database != DATABASE:
        if not options.keep_data:
            parser.error("--database needs --keep-data: only bluelight_bench is ever rebuilt")
        use_database(options.database)
    if options.generate:
        generate()
        return
    built_in = None
    if not options.keep_data:
        started = time.monotonic()
        build_database()
        built_in = time.monotonic() - started
    member = session_cookie("simon.ashworth@police.example", root=ROOT, env=ENV)
    secretariat = session_cookie("priya.shah@warwickshire-cc.example", root=ROOT, env=ENV)
    executive = session_cookie("nadia.cole@fire.example", root=ROOT, env=ENV)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "bluelight.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        time.sleep(3)
        load_before = os.getloadavg()[0]
        pages = [
            ("trivial signed-in page", "/password/change/done/", member),
            ("register, first page", "/register/", member),
            ("register, filtered", "/register/?status=in_delivery&theme=estates", member),
            ("register, searched", "/register/?q=opportunity+0042", member),
            ("register, last page", "/register/?page=400", member),
            ("referrals inbox (executive)", "/referrals/", executive),
            (
                "decision matrix (secretariat)",
                "/boards/warwickshire-blue-light/decisions/",
                secretariat,
            ),
            ("home (secretariat)", "/", secretariat),
            ("board members", "/boards/warwickshire-blue-light/", member),
            ("meetings", "/boards/warwickshire-blue-light/meetings/", member),
            ("calendar feed (token)", "/calendar/bench-feed-token.ics", member),
            ("notification centre", "/notifications/", member),
            ("message log (secretariat)", "/boards/warwickshire-blue-light/messages/", secretariat),
            (
                "message log, searched",
                "/boards/warwickshire-blue-light/messages/?q=BLC-0042",
                secretariat,
            ),
            ("search, a word", "/search/?q=arson", member),
            ("search, two words", "/search/?q=control+room", member),
            ("search, a reference", "/search/?q=BLC-0042", member),
            ("dashboard", "/boards/warwickshire-blue-light/dashboard/", member),
            ("reviews due", "/boards/warwickshire-blue-light/reviews/", member),
            (
                "annual reports (secretariat)",
                "/boards/warwickshire-blue-light/reports/",
                secretariat,
            ),
            ("public home (anonymous)", "/public/warwickshire-blue-light/", ""),
            ("public meetings (anonymous)", "/public/warwickshire-blue-light/meetings/", ""),
            (
                "public register (anonymous)",
                "/public/warwickshire-blue-light/collaborations/",
                "",
            ),
        ]
        if options.only:
            pages = [pages[0], *(p for p in pages[1:] if options.only in p[0])]
        # Warm every page up first (connections, prepared statements, caches): the figures are
        # for a portal that has been running, not one that has just started.
        for _, path, cookie in pages:
            load(path, cookie, 1.5, options.clients)
        rows = []
        for name, path, cookie in pages:
            rate, errors = load(path, cookie, options.seconds, options.clients)
            rows.append((name, path, rate, errors))
        # The baseline again at the end: the ratio uses the mean of both, so a machine that
        # warms up or slows down during the run does not favour either end of the list.
        name, path, cookie = pages[0]
        again, errors = load(path, cookie, options.seconds, options.clients)
        rows.append((name + " (again)", path, again, errors))
        workers = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        memory = resident_mb(workers)
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    baseline = (rows[0][2] + rows[-1][2]) / 2
    lines = [
        f"List pages against a trivial signed-in page — {time.strftime('%Y-%m-%d %H:%M')}",
        "Data: 10 000 opportunities, 100 000 audit events, 3 000 recommendations, 9 000 referrals, "
        "1 000 meetings with 7 000 invitations and 3 000 agenda items, 50 000 notifications, "
        "reviews and benefits for every opportunity under review",
        f"gunicorn 2 sync workers + PostgreSQL on this machine; {options.clients} keep-alive "
        f"clients for {options.seconds:.0f} s per page; ratio to the mean of the trivial page's "
        "two runs (the bar: at least 0.30)",
        "",
        f"{'page':34} {'req/s':>8} {'ratio':>7} {'errors':>7}  path",
    ]
    for name, path, rate, errors in rows:
        lines.append(f"{name:34} {rate:8.1f} {rate / baseline:7.2f} {errors:7d}  {path}")
    lines += [
        "",
        "Worker resident memory after the run: " + ", ".join(f"{m:.0f} MB" for m in memory),
        f"Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f} on "
        f"{os.cpu_count()} CPUs (the run's own load included)",
    ]
    if built_in is not None:
        lines.append(f"Data built from scratch (migrate, seed_demo, bulk rows) in {built_in:.0f} s")
    if not options.only and DATABASE == "bluelight_bench":  # others are printed, never kept
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

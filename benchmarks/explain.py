"""Query plans of each measured page at both data sizes, written to benchmarks/results/plans.md.

Each page is requested in-process (Django's test client, signed in with the benchmark's
sessions, so through the full middleware stack) once to warm up and once with its queries
captured (``CaptureQueriesContext``). The slowest SELECTs of that request, the page's main
queries, are run again under ``EXPLAIN (ANALYZE, BUFFERS)`` and their plans recorded.

    python benchmarks/list_pages.py --keep-data --explain [--scale 1 10]
"""

import json
import sys
import time

from environment import RESULTS, database_for, run_script
from signed_in import session_cookies

PLANS_FILE = RESULTS / "plans.md"
SLOWEST = 2


def write_plans(scales: list[int]) -> None:
    from pages import PEOPLE

    sections = [
        "# Query plans of the measured pages",
        "",
        f"Written by `python benchmarks/list_pages.py --keep-data --explain` on "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}. For each page: its queries in one request "
        f"(after a warm-up request) and the plans of its {SLOWEST} slowest SELECTs, from "
        "`EXPLAIN (ANALYZE, BUFFERS)`.",
        "",
    ]
    for scale in scales:
        database = database_for(scale)
        facts = json.loads(run_script(database, "in_process.py", "facts", capture=True))
        cookies = session_cookies(database, *PEOPLE)
        answer = run_script(
            database,
            "explain.py",
            str(scale),
            json.dumps({"facts": facts, "cookies": cookies}),
            capture=True,
        )
        sections.append(answer)
        print(f"Plans at scale {scale} written", flush=True)
    RESULTS.mkdir(exist_ok=True)
    PLANS_FILE.write_text("\n".join(sections))
    print(f"Written to {PLANS_FILE}")


def _plans(scale: int, facts: dict, cookies: dict[str, str]) -> str:
    """The markdown section of one scale (run inside the scale's Django process)."""
    from bulk_data import describe
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pages import ADMIN_CHANGELIST, ADMINISTRATOR, Page, pages

    measured = [
        Page("Django admin changelist", ADMIN_CHANGELIST, ADMINISTRATOR, None),
        *(p for p in pages(scale, facts) if p.bar is not None),
    ]
    out = [f"## Scale {scale}: {describe(scale)}", ""]
    for page in measured:
        client = Client()
        if page.person:
            client.cookies["sessionid"] = cookies[page.person]
        client.get(page.path)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(page.path)
            elapsed = (time.perf_counter() - started) * 1000
        queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        total = sum(t for t, _ in queries)
        out += [
            f"### {page.name} — `{page.path}`",
            "",
            f"Answer {response.status_code}; {len(queries)} queries, {total:.1f} ms of SQL, "
            f"{elapsed:.1f} ms in all (in-process, queries captured).",
            "",
        ]
        selects = [
            (t, sql) for t, sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        for spent, sql in sorted(selects, reverse=True)[:SLOWEST]:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out += [
                f"Query taking {spent:.1f} ms:",
                "",
                "```sql",
                sql,
                "```",
                "",
                "```",
                plan,
                "```",
                "",
            ]
    return "\n".join(out)


if __name__ == "__main__":
    import django

    django.setup()
    given = json.loads(sys.argv[2])
    print(_plans(int(sys.argv[1]), given["facts"], given["cookies"]))

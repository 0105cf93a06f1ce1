"""Requests per second of each page against a bare signed-in view, at two data sizes, in one run.

For each scale (1: 10 000 opportunities; 10: 100 000, see bulk_data.py) it builds (or, with
--keep-data, migrates) the PostgreSQL database, serves it with gunicorn under the benchmark's
settings (the portal's, plus the bare view at /bench/bare/), loads every page from a pool of
keep-alive clients for a fixed time, and writes each page's requests per second, its ratio to
the bare view, its multiple of the Django admin changelist's requests per second and its bars,
with the dashboard's uncached build time, the web workers' resident memory, the load average
before and after and the heavy documents' time and memory, to benchmarks/results/list_pages.txt.

    python benchmarks/list_pages.py                    # the full run: build both, measure
    python benchmarks/list_pages.py --keep-data        # the same on the kept databases
    python benchmarks/list_pages.py --keep-data --scale 10 --only search --seconds 1  # printed
    python benchmarks/list_pages.py --keep-data --explain   # query plans to results/plans.md
"""

import argparse
import json
import os
import sys
import time

from bulk_data import bring_up_to_date, build_database, describe, recorded_build
from environment import CACHE, MEASURE_INSTEAD, RESULTS, database_exists, database_for, run_script
from load import WORKERS, Server, check, load, load_average
from pages import (
    ADMIN_CHANGELIST,
    ADMIN_MULTIPLE,
    ADMINISTRATOR,
    BARE,
    DASHBOARD_BUILD_BAR_MS,
    MEMBER,
    PEOPLE,
    WORKER_BAR_MB,
    Page,
    pages,
)
from signed_in import session_cookies

RESULTS_FILE = RESULTS / "list_pages.txt"


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def prepare(scale: int, keep_data: bool) -> list[str]:
    """The scale's database, built or brought up to date; lines saying which."""
    database = database_for(scale)
    if keep_data and database_exists(database):
        migrated = bring_up_to_date(scale)
        then = "migrated now (then VACUUM ANALYZE)" if migrated else "already up to date"
        return [f"Data kept ({recorded_build(database) or 'an earlier build'}), {then}"]
    timings = build_database(scale)
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items())
    return [f"Data built from scratch: {steps}"]


def measure(scale: int, options: argparse.Namespace) -> tuple[list[str], int]:
    """One scale's section of the results, and how many bars it failed."""
    database = database_for(scale)
    header = prepare(scale, options.keep_data)
    facts = json.loads(run_script(database, "in_process.py", "facts", capture=True))
    dashboard = json.loads(run_script(database, "in_process.py", "dashboard", capture=True))
    cookies = {"": "", **session_cookies(database, *PEOPLE)}
    measured = pages(scale, facts)
    if options.only:
        measured = [p for p in measured if options.only in p.name]
    bare = Page("bare signed-in view", BARE, MEMBER, 1.0)
    admin = Page("Django admin changelist (administrator)", ADMIN_CHANGELIST, ADMINISTRATOR, None)
    server = Server(database)
    try:
        for page in [bare, admin, *measured]:
            status = check(page.path, cookies[page.person])
            if status != 200:
                raise RuntimeError(f"{page.name} ({page.path}) answered {status}, not 200")
        load_before = load_average()
        # Every page warmed up first (connections, caches, the dashboard's figures): the figures
        # are for a portal that has been running, not one that has just started.
        for page in [bare, admin, *measured]:
            load(page.path, cookies[page.person], min(options.seconds, 1.5), options.clients)
        rows = []
        for page in [bare, admin, *measured, bare]:
            rate, errors = load(page.path, cookies[page.person], options.seconds, options.clients)
            rows.append((page, rate, errors))
        memory = server.resident_mb()
        load_after = load_average()
    finally:
        server.stop()
    # The same pages built afresh for every request (the page cache off): what a first visit,
    # or the first after a change, costs. For the record; the bars are for the portal as it
    # runs, with its cache.
    server = Server(database, PAGE_CACHE_SECONDS="0")
    try:
        for page in measured:
            load(page.path, cookies[page.person], min(options.seconds, 1.5), options.clients)
        built = {
            page.path: load(page.path, cookies[page.person], options.seconds, options.clients)[0]
            for page in measured
        }
    finally:
        server.stop()
    # The bare view is measured first and last: the ratio uses the mean of both, so a machine
    # that warms up or slows down during the run favours neither end of the list.
    baseline = (rows[0][1] + rows[-1][1]) / 2
    admin_rate = rows[1][1]
    failures = 0
    lines = [
        f"== Scale {scale}: {describe(scale)} (database {database}) ==",
        *header,
        f"gunicorn {WORKERS} sync workers + PostgreSQL on this machine, cache "
        f"{'in Redis' if CACHE['REDIS_URL'] else 'in each worker'}; {options.clients} "
        f"keep-alive clients for {options.seconds:g} s per page, after a warm-up; ratio to the "
        f"mean of the bare view's two runs ({baseline:.1f} req/s); admin multiple: the page's "
        f"req/s over the admin changelist's ({admin_rate:.1f} req/s), bar {ADMIN_MULTIPLE:g}",
        "The clients ask for the same page again and again, so the portal serves it from its "
        "page cache (core/page_cache.py: kept for that browser session until anything changes, "
        "a minute at most). 'built' is the same page with that cache off, in a second server "
        "started with PAGE_CACHE_SECONDS=0: what a first visit, or the first after any change, "
        "costs; it is for the record, not held to the bars.",
        "",
        f"{'page':40} {'req/s':>7} {'ratio':>6} {'bar':>6} {'x admin':>7}  {'result':11} "
        f"{'errors':>6}  {'built':>6} {'ratio':>6}  path",
    ]
    for index, (page, rate, errors) in enumerate(rows):
        ratio = rate / baseline
        multiple = rate / admin_rate if admin_rate else 0.0
        if index in (0, len(rows) - 1):
            name, verdict, bar = page.name + (" (again)" if index else ""), "baseline", "-"
        elif index == 1:
            name, verdict, bar = page.name, "peer", "-"
        else:
            ok = errors == 0 and multiple >= ADMIN_MULTIPLE
            ok = ok and (page.bar is None or ratio >= page.bar)
            failures += not ok
            name, verdict = page.name, mark(ok)
            bar = f"≥{page.bar:g}" if page.bar is not None else "-"
        fresh = built.get(page.path) if 1 < index < len(rows) - 1 else None
        fresh_columns = f"{fresh:6.1f} {fresh / baseline:6.2f}" if fresh else f"{'-':>6} {'-':>6}"
        lines.append(
            f"{name:40} {rate:7.1f} {ratio:6.2f} {bar:>6} {multiple:7.1f}  {verdict:11} "
            f"{errors:6d}  {fresh_columns}  {page.path}"
        )
    build_ok = dashboard["median_ms"] < DASHBOARD_BUILD_BAR_MS
    memory_ok = all(m < WORKER_BAR_MB for m in memory)
    failures += (not build_ok) + (not memory_ok)
    lines += [
        "",
        f"Dashboard figures built without the cache, in-process: {dashboard['median_ms']:.0f} ms "
        f"(median of five; the first, cold: {dashboard['first_ms']:.0f} ms); bar under "
        f"{DASHBOARD_BUILD_BAR_MS} ms: {mark(build_ok)}",
        "Web workers' resident memory after the run: "
        + ", ".join(f"{m:.0f} MB" for m in memory)
        + f"; bar under {WORKER_BAR_MB} MB each: {mark(memory_ok)}",
        f"Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f} on "
        f"{os.cpu_count()} CPUs (the run's own load included)",
        "",
    ]
    return lines, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[1, 10],
        choices=[1, 10],
        help="the data sizes (default both: 10 000 and 100 000 opportunities)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="the load on each page")
    parser.add_argument("--clients", type=int, default=4, help="keep-alive connections at once")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="measure the kept databases (migrated first), building only a missing one",
    )
    parser.add_argument("--only", help="measure only the pages whose name contains this; printed")
    parser.add_argument(
        "--no-documents", action="store_true", help="leave out the agenda pack and annual report"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="write the query plans of each page's slowest queries to results/plans.md instead",
    )
    parser.add_argument(
        "--database",
        help="with --keep-data and one --scale, measure another database (a migrated copy, "
        "say) instead of that scale's own; printed only",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the scales' databases from nothing, only"
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="serve with the cache in this Redis database (redis://127.0.0.1:6379/1), as in "
        "production; emptied first. Without it each web worker caches in its own memory",
    )
    options = parser.parse_args()
    if options.redis_url:
        import redis

        redis.Redis.from_url(options.redis_url).flushdb()
        CACHE["REDIS_URL"] = options.redis_url
    if options.build_only:
        for scale in options.scale:
            print(f"Scale {scale}:", prepare(scale, keep_data=False)[0], flush=True)
        return
    if options.database:
        if not options.keep_data or len(options.scale) != 1:
            parser.error(
                "--database needs --keep-data and one --scale: only the bench "
                "databases are ever built"
            )
        if not database_exists(options.database):
            parser.error(f"There is no database {options.database} to measure.")
        MEASURE_INSTEAD[options.scale[0]] = options.database
    if options.explain:
        from explain import write_plans

        for scale in options.scale:
            prepare(scale, keep_data=True)
        write_plans(options.scale)
        return
    started = time.monotonic()
    lines = [
        f"Pages against a bare signed-in view — {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "Command: python benchmarks/list_pages.py " + " ".join(sys.argv[1:]),
        "",
    ]
    failures = 0
    for scale in options.scale:
        section, failed = measure(scale, options)
        print("\n".join(section), flush=True)
        lines += section
        failures += failed
    if not (options.no_documents or options.only or options.database):
        from heavy_documents import measure as documents

        section = documents(scale=1)
        print("\n".join(section), flush=True)
        lines += [*section, ""]
        failures += sum(line.count("FAIL") for line in section)
    lines.append(
        f"Bars failed: {failures}. Whole run (builds included): "
        f"{(time.monotonic() - started) / 60:.1f} min"
    )
    print(lines[-1])
    # The results file holds both sizes: a run of one size, or of some pages, is printed only.
    if not options.only and not options.database and sorted(options.scale) == [1, 10]:
        RESULTS.mkdir(exist_ok=True)
        RESULTS_FILE.write_text("\n".join(lines) + "\n")
        print(f"Written to {RESULTS_FILE.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()

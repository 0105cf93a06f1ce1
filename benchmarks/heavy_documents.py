"""The heaviest documents the worker builds, timed and weighed.

- A 500-page agenda pack: a meeting with ten agenda items and 50 papers of ten pages each,
  uploaded through the portal's own ``paper_upload``; the pack built by the Celery task
  ``meetings.tasks.build_agenda_pack``. The meeting and its papers are made once per database,
  but their files live in the media folder of the checkout that runs the benchmark
  (``MEDIA_ROOT``): every run writes again any paper's file that folder lacks (a database
  built from another checkout, say), so the pack always holds every paper. The built pack's
  pages are counted: one short of every paper's pages (or more than a few pages of front sheet
  and agenda over them) fails, as the pack measured would not be the 500-page one.
- The annual collaboration report of the benchmark board (10 000 opportunities at scale 1),
  from the first opportunity to today, built by ``reports.tasks.build_collaboration_report``.

Each task runs in a fresh worker-like process of its own (Django set up, the task run through
Celery's ``apply``, as a worker with the solo pool runs it), so the figures are the task's
alone: its wall time, measured in that process around the task, and the process's peak
resident memory, read from the kernel when it exits (``os.wait4``). The bars: the pack in under
60 s, the worker under 300 MB.

    python benchmarks/heavy_documents.py [--scale 1] [--only pack|report]   # prints the figures
"""

import argparse
import json
import os
import subprocess
import sys
import time

from environment import BENCHMARKS, PYTHON, ROOT, database_for, env_for

PAPERS = 50
PAGES_PER_PAPER = 10
PACK_MEETING_TITLE = "Benchmark meeting: a 500-page pack"
PACK_BAR_SECONDS = 60
WORKER_BAR_MB = 300
# The front sheet and agenda (fifty papers listed) before the papers' own pages: a few pages.
FRONT_PAGES_AT_MOST = 10


def _paper_pdf() -> bytes:
    """A ten-page paper with a page of text on each page."""
    from meetings.pdfs import render_html_pdf

    paragraph = (
        "<p>The joint estates group has reviewed the use of the shared stations across the "
        "county and recommends that the board agrees the next phase of co-location, with the "
        "costs shared as set out in the appendix. The risks and the equality impact are "
        "described in section four.</p>"
    )
    page = "<section><h1>Shared estates: phase two</h1>" + paragraph * 9 + "</section>"
    style = "<style>section { page-break-after: always; }</style>"
    return render_html_pdf(style + page * PAGES_PER_PAPER)


def _pages(content: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def prepare_pack() -> dict:
    """The pack's meeting, with its papers (made once per database, their files written again
    wherever this checkout's media folder lacks them), and a new generation of its pack to
    build."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import F
    from django.utils import timezone

    from boards.models import Board, User
    from core.uploads import PDF
    from meetings.models import AgendaItem, Meeting, PaperVersion
    from meetings.services import paper_upload

    content = _paper_pdf()
    if _pages(content) != PAGES_PER_PAPER:
        raise RuntimeError(f"The paper drawn has {_pages(content)} pages, not {PAGES_PER_PAPER}.")
    board = Board.objects.get()
    secretariat = User.objects.get(email="priya.shah@warwickshire-cc.example")
    meeting = Meeting.objects.filter(board=board, title=PACK_MEETING_TITLE).first()
    if meeting is None:
        starts = timezone.now() + timedelta(days=21)
        meeting = Meeting.objects.create(
            board=board,
            title=PACK_MEETING_TITLE,
            venue="Shire Hall, Warwick",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            status=Meeting.Status.SCHEDULED,
            created_by=secretariat,
        )
        for n in range(1, 11):
            AgendaItem.objects.create(meeting=meeting, position=n, title=f"Item {n}: estates")
    items = list(meeting.items.order_by("position"))
    for n in range(meeting.papers.count(), PAPERS):
        paper_upload(
            meeting=meeting,
            actor=secretariat,
            upload=SimpleUploadedFile(f"paper-{n + 1}.pdf", content, content_type=PDF.content_type),
            kind=PDF,
            title=f"Paper {n + 1}: shared estates",
            agenda_item=items[n % len(items)],
        )
    # The papers' files, where this checkout keeps them: any missing is written again under
    # the name the database holds.
    written = 0
    versions = PaperVersion.objects.filter(paper__meeting=meeting, paper__current_version=F("pk"))
    for version in versions:
        storage = version.file.storage
        if storage.exists(version.file.name):
            continue
        saved = storage.save(version.file.name, ContentFile(content))
        if saved != version.file.name:  # the name was free a moment ago
            raise RuntimeError(f"Paper file {version.file.name} was stored as {saved}.")
        PaperVersion.objects.filter(pk=version.pk).update(size=len(content))
        written += 1
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_generation=F("pack_generation") + 1, pack_state=Meeting.FileState.BUILDING
    )
    meeting.refresh_from_db(fields=["pack_generation"])
    return {
        "meeting": meeting.pk,
        "generation": meeting.pack_generation,
        "papers": versions.count(),
        "written": written,
    }


def prepare_report() -> dict:
    """A report run waiting to start, over every opportunity of the board."""
    from django.db.models import Min
    from django.utils import timezone

    from boards.models import Board, User
    from opportunities.models import Opportunity
    from reports.models import ReportRun

    board = Board.objects.get()
    first = Opportunity.objects.filter(board=board).aggregate(first=Min("created_at"))["first"]
    today = timezone.localdate()
    run = ReportRun.objects.create(
        board=board,
        period_start=min(timezone.localdate(first), today.replace(month=1, day=1)),
        period_end=today,
        requested_by=User.objects.get(email="priya.shah@warwickshire-cc.example"),
    )
    return {
        "run": run.pk,
        "opportunities": Opportunity.objects.filter(board=board).count(),
    }


def run_pack(meeting: int, generation: int) -> dict:
    from pypdf import PdfReader

    from meetings.models import Meeting
    from meetings.tasks import build_agenda_pack

    started = time.monotonic()
    build_agenda_pack.apply(args=(meeting, generation), throw=True)
    seconds = time.monotonic() - started
    built = Meeting.objects.get(pk=meeting)
    with built.pack_file.open("rb") as handle:
        pages = len(PdfReader(handle).pages)
    return {"seconds": seconds, "state": built.pack_state, "pages": pages, **_limit()}


def run_report(run: int) -> dict:
    from pypdf import PdfReader

    from reports.models import ReportRun
    from reports.tasks import build_collaboration_report

    started = time.monotonic()
    build_collaboration_report.apply(args=(run,), throw=True)
    seconds = time.monotonic() - started
    built = ReportRun.objects.get(pk=run)
    pages = 0
    if built.file:
        with built.file.open("rb") as handle:
            pages = len(PdfReader(handle).pages)
    return {"seconds": seconds, "state": built.status, "pages": pages, **_limit()}


def _limit() -> dict:
    from django.conf import settings

    return {"limit": settings.CELERY_TASK_TIME_LIMIT}


def _child(database: str, *args: str) -> tuple[dict, float]:
    """Run this module's step in a fresh process; its JSON answer (with the process's CPU
    seconds added) and its peak resident MB."""
    process = subprocess.Popen(
        [PYTHON, str(BENCHMARKS / "heavy_documents.py"), *args],
        cwd=ROOT,
        env=env_for(database),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"heavy_documents.py {' '.join(args)} failed ({process.returncode})")
    answer = json.loads(output.strip().splitlines()[-1])
    answer["cpu"] = usage.ru_utime + usage.ru_stime
    return answer, usage.ru_maxrss / 1024


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _over_the_limit(what: str, figures: dict) -> list[str]:
    if figures["seconds"] <= figures["limit"]:
        return []
    return [
        f"The {what} took longer than the worker's hard time limit "
        f"(CELERY_TASK_TIME_LIMIT, {figures['limit']} s): a worker would have stopped it "
        "(Celery's apply, used here, does not enforce the limit)."
    ]


def measure_pack(database: str) -> list[str]:
    """The agenda pack's row, and any notes on it."""
    pack, _ = _child(database, "prepare-pack")
    built, pack_mb = _child(database, "run-pack", str(pack["meeting"]), str(pack["generation"]))
    papers_pages = pack["papers"] * PAGES_PER_PAPER
    whole = (
        pack["papers"] == PAPERS
        and papers_pages < built["pages"] <= papers_pages + FRONT_PAGES_AT_MOST
    )
    pack_ok = built["seconds"] < PACK_BAR_SECONDS and built["state"] == "ready" and whole
    label = f"agenda pack, {pack['papers']} papers, {built['pages']} pages"
    lines = [
        f"{label:50} {built['seconds']:7.1f}s {'<60 s':>7} {built['cpu']:6.1f}s "
        f"{pack_mb:7.0f}MB {'<300 MB':>8}  "
        f"{_mark(pack_ok)} / {_mark(pack_mb < WORKER_BAR_MB)} ({built['state']})"
    ]
    if pack["written"]:
        lines.append(
            f"The files of {pack['written']} of the pack's papers were missing from this "
            "checkout's media folder and were written again before the build."
        )
    if not whole:
        lines.append(
            f"The pack has {built['pages']} pages, not its {pack['papers']} papers' "
            f"{papers_pages} pages and a front sheet (at most {FRONT_PAGES_AT_MOST} pages): it is "
            f"not the {PAPERS * PAGES_PER_PAPER}-page pack the bar is for, so its row fails."
        )
    return lines + _over_the_limit("pack", built)


def measure_report(database: str) -> list[str]:
    """The annual report's row, and any note on it."""
    report, _ = _child(database, "prepare-report")
    made, report_mb = _child(database, "run-report", str(report["run"]))
    count = f"{report['opportunities']:,}".replace(",", " ")
    label = f"annual report, {count} opportunities, {made['pages']} pages"
    return [
        f"{label:50} {made['seconds']:7.1f}s {'-':>7} {made['cpu']:6.1f}s "
        f"{report_mb:7.0f}MB {'<300 MB':>8}  "
        f"{_mark(made['state'] == 'done')} / {_mark(report_mb < WORKER_BAR_MB)} ({made['state']})",
        *_over_the_limit("report", made),
    ]


def measure(scale: int = 1, only: str = "") -> list[str]:
    """Both documents (or ``only`` the pack or the report) built on the scale's database: lines
    for the results file."""
    database = database_for(scale)
    lines = [
        "Heavy documents, each built by its Celery task in a fresh worker-like process "
        "(time: the task's wall time; CPU: the process's, Django's start included; memory: the "
        "process's peak resident size)",
        f"{'document':50} {'time':>8} {'bar':>7} {'CPU':>7} {'peak RSS':>9} {'bar':>8}  result",
    ]
    # The rows first, then the notes on them.
    rows, notes = [], []
    for part, measured in (("pack", measure_pack), ("report", measure_report)):
        if only in ("", part):
            row, *more = measured(database)
            rows.append(row)
            notes += more
    return lines + rows + notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", nargs="?", default="measure")
    parser.add_argument("arguments", nargs="*")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument(
        "--only", choices=["pack", "report"], default="", help="build only this document"
    )
    options = parser.parse_args()
    if options.step == "measure":
        print("\n".join(measure(options.scale, options.only)))
        return
    import django

    django.setup()
    steps = {
        "prepare-pack": prepare_pack,
        "prepare-report": prepare_report,
        "run-pack": run_pack,
        "run-report": run_report,
    }
    answer = steps[options.step](*(int(a) for a in options.arguments))
    print(json.dumps(answer))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

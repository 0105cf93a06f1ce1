"""The report's PDF, built by the task: the period's figures and titles, nothing of another board,
nothing confidential, progress to 100; a failure recorded with a human message."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from meetings.models import Meeting, MeetingInvitation
from opportunities.models import Benefit, Referral, ReferralEvent, Status
from reports import collaboration
from reports.models import ReportRun
from reports.services import report_run_request
from reports.tasks import build_collaboration_report
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    PaperFactory,
)

from .conftest import at, benefit, opportunity, recommendation, referral, review

pytestmark = pytest.mark.django_db
START, END = date(2026, 4, 1), date(2026, 9, 30)
EST, REAL = Benefit.Kind.ESTIMATED, Benefit.Kind.REALISED
ATT = MeetingInvitation.Attendance


def meeting(board, creator, title, day: date, status):
    starts = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    return MeetingFactory(
        board=board,
        created_by=creator,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=status,
    )


@pytest.fixture
def year(board, police, fire, council, alice, bob, dave, erin, elsewhere, outsider_org, charlie):
    """The board's half-year (April to September 2026) and what lies outside it."""
    southam = opportunity(board, police, title="Shared station at Southam", status=Status.APPROVED)
    rec = recommendation(southam, agreed_on=date(2026, 3, 20), sent_at=at(date(2026, 3, 21)))
    referral(rec, police, status="approved", decided_at=at(date(2026, 5, 10)))
    referral(rec, fire, status="approved_with_conditions", decided_at=at(date(2026, 6, 2)))

    drones = opportunity(board, fire, title="Joint drone unit", status=Status.NOT_APPROVED)
    rec = recommendation(drones, agreed_on=date(2026, 4, 2), sent_at=at(date(2026, 4, 3)))
    referral(rec, police, status="declined", decided_at=at(date(2026, 7, 1)))
    deferred = referral(rec, fire, status="deferred", decided_at=at(date(2026, 8, 1)))
    # The deferral as the decision service records it: a step of the referral's history.
    ReferralEvent.objects.create(
        referral=deferred,
        kind=ReferralEvent.Kind.DECISION,
        outcome=Referral.Status.DEFERRED,
        note="What does the unit cost to run?",
        actor=erin,
        at=at(date(2026, 8, 1)),
    )

    fleet = opportunity(board, council, title="Joint fleet workshop", status=Status.APPROVED)
    rec = recommendation(fleet, agreed_on=date(2026, 9, 1), sent_at=at(date(2026, 9, 2)))
    referral(rec, council, status="approved", decided_at=at(date(2026, 10, 15)))  # after

    benefit(southam, police, REAL, "1200.00", date(2026, 6, 30))
    benefit(southam, fire, EST, "5000.50", date(2026, 4, 30))
    benefit(southam, police, REAL, "700.00", date(2026, 12, 31))  # after
    review(
        southam,
        date(2026, 7, 1),
        "Savings on track at Southam",
        rag="amber",
        next_review_on=date(2027, 1, 1),
    )
    review(southam, date(2026, 1, 10), "An early review before the period")

    held = meeting(
        board, alice, "Summer board meeting", date(2026, 6, 15), Meeting.Status.MINUTES_APPROVED
    )
    MeetingInvitationFactory(meeting=held, person=alice, attendance=ATT.PRESENT)
    MeetingInvitationFactory(meeting=held, person=dave, attendance=ATT.PRESENT)
    MeetingInvitationFactory(meeting=held, person=bob, attendance=ATT.APOLOGIES)
    MeetingInvitationFactory(
        meeting=held, person=erin, attendance=ATT.PRESENT, is_guest=True, organisation=None
    )
    secret = AgendaItemFactory(meeting=held, title="Exempt: chief officers' pay", confidential=True)
    PaperFactory(meeting=held, agenda_item=secret, title="Pay review paper (exempt)")
    meeting(board, alice, "Draft planning session", date(2026, 7, 20), Meeting.Status.DRAFT)
    meeting(board, alice, "Cancelled August meeting", date(2026, 8, 20), Meeting.Status.CANCELLED)
    meeting(board, alice, "Winter board meeting", date(2026, 11, 1), Meeting.Status.HELD)

    merger = opportunity(elsewhere, outsider_org, title="Elsewhere merger", status=Status.APPROVED)
    rec = recommendation(merger, agreed_on=date(2026, 4, 1), sent_at=at(date(2026, 4, 2)))
    referral(rec, outsider_org, status="approved", decided_at=at(date(2026, 5, 1)))
    benefit(merger, outsider_org, REAL, "99999.00", date(2026, 6, 30))
    review(merger, date(2026, 6, 1), "Elsewhere review conclusion")
    meeting(elsewhere, charlie, "Elsewhere board meeting", date(2026, 6, 1), Meeting.Status.HELD)


def built_run(board, alice, capture) -> ReportRun:
    with capture(execute=True):
        run = report_run_request(board=board, requested_by=alice, start=START, end=END)
    run.refresh_from_db()
    return run


def pdf_text(run: ReportRun) -> str:
    with run.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_task_builds_the_report_and_reaches_100(
    board, alice, year, django_capture_on_commit_callbacks
):
    run = built_run(board, alice, django_capture_on_commit_callbacks)
    assert run.status == ReportRun.Status.DONE
    assert run.progress == 100
    assert run.error == ""
    assert run.finished_at is not None
    assert run.file.name.startswith("reports/")


def test_the_pdf_holds_the_periods_figures_and_titles(
    board, alice, year, django_capture_on_commit_callbacks
):
    text = pdf_text(built_run(board, alice, django_capture_on_commit_callbacks))
    assert "Annual collaboration report" in text
    assert "1 April 2026 to 30 September 2026" in text
    # Approved in the period: Southam (last decision 2 June), not the fleet workshop (October).
    approved = text[
        text.index("Opportunities approved in the period") : text.index("Decisions by body")
    ]
    assert "Shared station at Southam" in approved
    assert "2 June 2026" in approved  # GOV.UK: the month in full
    assert "Joint fleet workshop" not in approved
    assert "Opportunities approved 1" in text
    # Decisions by body: approved, with conditions, declined, deferred, total.
    assert "Warwickshire Police 1 0 1 0 2" in text
    assert "Warwickshire Fire and Rescue Service 0 1 0 1 2" in text
    assert "Warwickshire County Council 0 0 0 0 0" in text
    # Benefits: the bodies' current estimates; realised for periods ending in the period; in
    # whole pounds.
    assert "Cashable benefits estimated £5,001" in text
    assert "Cashable benefits realised £1,200" in text
    assert ".00" not in text
    # Reviews held in the period.
    assert "Savings on track at Southam" in text
    assert "An early review before the period" not in text
    # Meetings held and attendance (present, substitutes, apologies, absent, bodies).
    assert "Summer board meeting 15 June 2026 3 0 1 0 1" in text
    assert "Meetings held 1" in text


def test_the_pdf_leaves_out_other_boards_unheld_meetings_and_confidential_business(
    board, alice, year, django_capture_on_commit_callbacks
):
    text = pdf_text(built_run(board, alice, django_capture_on_commit_callbacks))
    for absent in (
        "Elsewhere merger",
        "99,999",
        "Elsewhere review conclusion",
        "Elsewhere board meeting",
        "chief officers",
        "Pay review paper",
        "Draft planning session",
        "Cancelled August meeting",
        "Winter board meeting",
    ):
        assert absent not in text, absent


def test_progress_is_recorded_at_each_stage(
    board, alice, year, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real = collaboration._progress_of

    def watching(run_id):
        record = real(run_id)

        def progress(percent, stage):
            record(percent, stage)
            seen.append(ReportRun.objects.values_list("progress", "status").get(pk=run_id))

        return progress

    monkeypatch.setattr(collaboration, "_progress_of", watching)
    run = built_run(board, alice, django_capture_on_commit_callbacks)
    assert [progress for progress, _ in seen] == [10, 25, 40, 55, 70, 78, 85, 95]
    assert {status for _, status in seen} == {ReportRun.Status.RUNNING}
    assert run.progress == 100


def test_a_failed_build_is_recorded_with_a_human_message(
    board, alice, year, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("Pango is missing")

    monkeypatch.setattr(collaboration, "render_pdf_in_parts", broken)
    run = built_run(board, alice, django_capture_on_commit_callbacks)
    assert run.status == ReportRun.Status.FAILED
    assert run.error == collaboration.FAILURE_MESSAGE
    assert "Pango" not in run.error
    assert not run.file
    assert run.finished_at is not None


def test_a_repeated_task_does_not_build_again(
    board, alice, year, django_capture_on_commit_callbacks
):
    run = built_run(board, alice, django_capture_on_commit_callbacks)
    first_file = run.file.name
    build_collaboration_report.delay(run.pk)
    run.refresh_from_db()
    assert run.file.name == first_file and run.status == ReportRun.Status.DONE


def test_a_run_that_no_longer_exists_is_ignored(db):
    build_collaboration_report.delay(987654)
    assert not ReportRun.objects.exists()


def test_building_costs_the_same_queries_for_a_small_and_a_large_year(
    board, alice, police, fire, django_assert_max_num_queries
):
    run = ReportRun.objects.create(
        board=board, period_start=START, period_end=END, requested_by=alice
    )

    def grow(size: int) -> None:
        for index in range(size):
            opp = opportunity(board, police, title=f"Opportunity {index}", status=Status.APPROVED)
            day = START + timedelta(days=index % 150)
            rec = recommendation(opp, agreed_on=day, sent_at=at(day))
            referral(rec, police, status="approved", decided_at=at(day + timedelta(days=3)))
            referral(rec, fire, status="declined", decided_at=at(day + timedelta(days=4)))
            benefit(opp, fire, REAL, "10", day)
            review(opp, day, f"Review {index}")
            held = meeting(board, alice, f"Meeting {index}", day, Meeting.Status.HELD)
            MeetingInvitationFactory(meeting=held, person=alice, attendance=ATT.PRESENT)

    def build() -> None:
        collaboration.collaboration_report_pdf(run, progress=lambda percent, stage: None)

    grow(2)
    # The report's own tables, then the dashboard's figures for its charts: a fixed budget.
    with django_assert_max_num_queries(26) as small:
        build()
    grow(25)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        build()
    assert len(large.captured_queries) == len(small.captured_queries)


def report_pages(run: ReportRun) -> list[str]:
    with run.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def test_every_page_of_the_report_carries_the_strictest_marking_of_its_recommendations(
    board, alice, year, django_capture_on_commit_callbacks
):
    from core.markings import Descriptor, Level
    from opportunities.models import Recommendation

    pages = report_pages(built_run(board, alice, django_capture_on_commit_callbacks))
    assert len(pages) > 1
    assert all("OFFICIAL" in page and "OFFICIAL-SENSITIVE" not in page for page in pages)
    Recommendation.objects.filter(opportunity__board=board).update(
        marking=Level.OFFICIAL_SENSITIVE, marking_descriptors=Descriptor.PERSONAL
    )
    pages = report_pages(built_run(board, alice, django_capture_on_commit_callbacks))
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE PERSONAL" in page, f"page {number}"


def test_a_long_report_drawn_in_parts_keeps_its_order_numbering_and_marking(
    board, alice, year, monkeypatch, django_capture_on_commit_callbacks
):
    # One row a part: every section and every row of the tables is laid out on its own.
    monkeypatch.setattr(collaboration, "PART_ROWS", 1)
    monkeypatch.setattr(collaboration, "FIXED_SECTION_ROWS", 1)
    monkeypatch.setattr(collaboration, "SUMMARY_LIST_LIMIT", 0)
    run = built_run(board, alice, django_capture_on_commit_callbacks)
    pages = report_pages(run)
    assert len(pages) >= 6
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL" in page, f"page {number}"
        # The page number (the foot's centre) runs on across the parts.
        assert str(number) in page.split(), f"page {number}"
    text = pdf_text(run)
    headings = [
        "The chair's summary",
        "Opportunities approved in the period",
        "Decisions by body",
        "Reviews held",
        "Meetings held and attendance",
        "Attendance by body",
        "Recommendations sent in the period",
    ]
    # In order (the last mention: the chair's summary names the list given at the end).
    found = [text.rindex(heading) for heading in headings]
    assert found == sorted(found)
    # The chair's summary points to the lists given in full at the end.
    assert "listed in full under “Recommendations sent in the period”" in text
    assert "Shared station at Southam" in text
    assert "Savings on track at Southam" in text
    assert "Summer board meeting 15 June 2026 3 0 1 0 1" in text
    assert "Warwickshire Police 1 0 1 0 2" in text

"""What a visitor reads on the public pages without signing in (used by the forward plan's
journey): a body's decision with its reference and conditions, and a Part 1 report."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from meetings.models import Meeting, Paper, PaperVersion
from opportunities import services
from opportunities.models import Referral, Status
from tests.factories import AgendaItemFactory, MeetingFactory
from tests.opportunities.helpers import decide, referral_for


@pytest.fixture
def approved(board, alice, make_opportunity, record, police, fire, erin, pat):
    """Approved by the Police, and by Fire with conditions."""
    opportunity = make_opportunity(
        title="Shared station at Southam", summary="One building for both services."
    )
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    recommendation = record(opportunity, [police, fire], wording="Share the station.")
    services.recommendation_send(recommendation=recommendation, actor=alice)
    decide(referral_for(recommendation, police), pat, reference="CCOG/2026/4")
    decide(
        referral_for(recommendation, fire),
        erin,
        outcome=Referral.Status.APPROVED_WITH_CONDITIONS,
        reference="FRA/2026/9",
        notes="Internal: check the lease with legal.",
        notice=services.DecisionNoticeFields(conditions="Subject to a joint risk assessment."),
    )
    return opportunity


@pytest.fixture
def report(board, alice):
    """A published meeting with an open item and its report (a PDF with text)."""
    start = timezone.now() + timedelta(days=10)
    meeting = MeetingFactory(
        board=board,
        created_by=alice,
        title="Spring meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Meeting.Status.PAPERS_PUBLISHED,
    )
    item = AgendaItemFactory(meeting=meeting, title="Joint training centre")
    paper = Paper.objects.create(meeting=meeting, agenda_item=item, title="Training report")
    content = HTML(string="<p>The joint training centre opens in May.</p>").write_pdf()
    version = PaperVersion(
        paper=paper,
        number=1,
        original_name="Training report.pdf",
        content_type="application/pdf",
        kind="pdf",
        size=len(content),
        uploaded_by=alice,
    )
    version.file.save("report.pdf", ContentFile(content), save=False)
    version.save()
    Paper.objects.filter(pk=paper.pk).update(current_version=version)
    return meeting


def read_the_decisions_and_a_part_1_report(page, base, board):
    """From the board's public home page: the decision register, the Fire and Rescue Service's
    notice, and the Part 1 report of the spring meeting, read as a visitor."""
    page.goto(f"{base}/public/{board.slug}/")
    page.get_by_role("link", name="Decisions", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Decisions"
    assert page.get_by_text("FRA/2026/9").is_visible()
    page.get_by_role("row", name="Warwickshire Fire").get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Decision notice"
    body = page.locator("main").inner_text()
    assert "Subject to a joint risk assessment." in body
    assert "FRA/2026/9" in body
    assert "check the lease" not in body

    page.get_by_role("link", name="Meetings and minutes").click()
    page.get_by_role("link", name="Spring meeting").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Training report").click()
    content = Path(download_info.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "The joint training centre opens in May." in text

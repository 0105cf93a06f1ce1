"""Every page of every PDF the portal builds carries the handling marking of the whole — the
strictest of what it holds — read back from the PDF's text with pypdf: the agenda pack (its
front sheet and agenda from WeasyPrint, the uploaded papers overlaid), the minutes, a decision
notice and the annual report."""

import io

import pytest
from pypdf import PdfReader

from core.markings import Descriptor, Level
from meetings.models import Meeting
from meetings.pdfs import agenda_pack_pdf, agenda_pack_store, minutes_pdf, pack_marking
from tests.factories import AgendaItemFactory, PaperFactory

pytestmark = pytest.mark.django_db

SENSITIVE = "OFFICIAL-SENSITIVE"


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def assert_every_page_marked(content: bytes, text: str) -> list[str]:
    pages = page_texts(content)
    assert pages
    for number, page in enumerate(pages, start=1):
        assert text in page, f"page {number} of {len(pages)} is not marked {text}"
    return pages


@pytest.fixture
def agenda(meeting):
    meeting.items.all().delete()
    estates = AgendaItemFactory(meeting=meeting, title="Estates", position=1)
    fleet = AgendaItemFactory(meeting=meeting, title="Fleet", position=2)
    PaperFactory(meeting=meeting, agenda_item=estates, title="Estates paper", pages=3)
    PaperFactory(meeting=meeting, agenda_item=fleet, title="Fleet paper", pages=2)
    return meeting, estates, fleet


def test_a_pack_of_official_papers_is_official_on_every_page(agenda):
    meeting, _, _ = agenda
    pages = assert_every_page_marked(agenda_pack_pdf(meeting), "OFFICIAL")
    assert len(pages) == 2 + 3 + 2
    assert not any(SENSITIVE in page for page in pages)


def test_one_sensitive_commercial_paper_marks_every_page_of_the_pack(agenda):
    meeting, _, fleet = agenda
    PaperFactory(
        meeting=meeting,
        agenda_item=fleet,
        title="Fleet tender prices",
        pages=1,
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=Descriptor.COMMERCIAL,
    )
    pages = assert_every_page_marked(agenda_pack_pdf(meeting), "OFFICIAL-SENSITIVE COMMERCIAL")
    assert len(pages) == 2 + 3 + 2 + 1
    # The uploaded papers' pages keep their item stamps beside the marking.
    assert "Item 1" in pages[2]


def test_a_sensitive_item_marks_the_pack_even_without_papers(meeting):
    meeting.items.all().delete()
    AgendaItemFactory(
        meeting=meeting,
        title="Custody suite",
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=Descriptor.LOCSEN,
    )
    assert_every_page_marked(agenda_pack_pdf(meeting), "OFFICIAL-SENSITIVE LOCSEN")


def test_an_exempt_items_sensitive_paper_marks_part_2_but_not_part_1(agenda):
    meeting, _, _ = agenda
    secret = AgendaItemFactory(meeting=meeting, title="Depot sale", confidential=True, position=3)
    secret.exempt_paragraph = 3
    secret.save()
    PaperFactory(
        meeting=meeting,
        agenda_item=secret,
        title="Depot valuation",
        pages=2,
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=Descriptor.COMMERCIAL,
    )
    assert pack_marking(meeting).text == "OFFICIAL"
    part1 = assert_every_page_marked(agenda_pack_pdf(meeting), "OFFICIAL")
    assert not any(SENSITIVE in page for page in part1)
    assert_every_page_marked(agenda_pack_pdf(meeting, part=2), "OFFICIAL-SENSITIVE COMMERCIAL")


def test_the_built_pack_keeps_its_marking_for_the_publication_rule(agenda):
    meeting, estates, _ = agenda
    estates.marking = Level.OFFICIAL_SENSITIVE
    estates.save()
    meeting.pack_generation = 1
    meeting.save()
    agenda_pack_store(meeting_id=meeting.pk, generation=1)
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.FileState.READY
    assert meeting.pack_marking == SENSITIVE
    assert meeting.pack_handling.is_sensitive
    with meeting.pack_file.open("rb") as handle:
        assert_every_page_marked(handle.read(), SENSITIVE)


def test_the_minutes_take_the_strictest_marking_of_their_items(agenda):
    meeting, _, fleet = agenda
    assert_every_page_marked(minutes_pdf(meeting), "OFFICIAL")
    fleet.marking = Level.OFFICIAL_SENSITIVE
    fleet.marking_descriptors = Descriptor.PERSONAL
    fleet.minutes = "The board noted the driver's circumstances. " * 200  # several pages
    fleet.save()
    pages = assert_every_page_marked(minutes_pdf(meeting), "OFFICIAL-SENSITIVE PERSONAL")
    assert len(pages) > 1


def test_a_papers_own_words_stay_readable_under_its_stamps(meeting):
    """The stamps are drawn over a paper's pages without touching what the paper draws: its
    text keeps its own fonts."""
    from django.core.files.base import ContentFile

    from meetings.pdfs import render_html_pdf

    meeting.items.all().delete()
    estates = AgendaItemFactory(meeting=meeting, title="Estates", position=1)
    paper = PaperFactory(meeting=meeting, agenda_item=estates, title="Rugby stations")
    words = "The board agrees to share the Rugby fire and police stations."
    content = render_html_pdf(f"<p>{words}</p>")
    paper.current_version.file.save("paper.pdf", ContentFile(content), save=True)
    pages = assert_every_page_marked(agenda_pack_pdf(meeting), "OFFICIAL")
    total = len(pages)
    assert words in pages[-1]
    assert f"Item 1 · page {total} of {total}" in pages[-1]

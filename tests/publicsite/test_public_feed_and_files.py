"""The Atom feed of what the board published, and the Part 1 files of a meeting."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from meetings.models import Meeting
from opportunities.models import Status
from tests.factories import AgendaItemFactory, MeetingFactory, PaperFactory

from .conftest import leaks

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(board) -> str:
    return reverse("public_feed", args=[board.slug])


def entries(client, board) -> list[tuple[str, str]]:
    response = client.get(feed_url(board))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title") or "", entry.find(f"{ATOM}link").get("href"))
        for entry in root.iter(f"{ATOM}entry")
    ]


def test_the_feed_names_published_agendas_minutes_cancellations_and_decisions(
    client, public_board, approved_meeting, cancelled_meeting, register, alice
):
    audit_record(
        subject=approved_meeting, actor=alice, verb="meeting.minutes_approved", summary="x"
    )
    audit_record(subject=cancelled_meeting, actor=alice, verb="meeting.cancelled", summary="x")
    found = entries(client, public_board)
    titles = [title for title, _ in found]
    assert any(t.startswith("Minutes approved: Autumn meeting") for t in titles)
    assert any(t.startswith("Meeting cancelled: Extraordinary meeting") for t in titles)
    assert any("Shared station at Southam" in t for t in titles)  # a body's decision
    links = [link for _, link in found]
    meeting_url = reverse("public_meeting", args=[public_board.slug, approved_meeting.pk])
    assert f"http://testserver{meeting_url}" in links
    body = client.get(feed_url(public_board)).content.decode()
    assert "The chair is unwell" in body  # the reason for the cancellation
    assert leaks(body) == []


def test_the_feed_leaves_out_what_is_no_longer_or_not_yet_public(
    client, public_board, drafted_meeting, draft_meeting, alice
):
    # Papers "published" for a meeting that is still a draft; minutes "approved" events for
    # minutes still in draft (a move later undone): neither is public now.
    audit_record(subject=draft_meeting, actor=alice, verb="meeting.papers_published", summary="x")
    audit_record(subject=drafted_meeting, actor=alice, verb="meeting.minutes_approved", summary="x")
    audit_record(subject=drafted_meeting, actor=alice, verb="meeting.papers_published", summary="x")
    titles = [title for title, _ in entries(client, public_board)]
    assert not any("Ocelot" in t for t in titles)
    assert not any(t.startswith("Minutes approved") for t in titles)
    assert any(t.startswith("Agenda and papers published: Summer meeting") for t in titles)


def test_the_feed_is_switched_off_with_the_pages(client, board):
    response = client.get(feed_url(board))
    assert response.status_code == 404


def test_the_feed_does_not_grow_in_queries(
    client,
    public_board,
    alice,
    make_opportunity,
    decided,
    police,
    fire,
    django_assert_max_num_queries,
):
    def add(count):
        for n in range(count):
            start = timezone.now() - timedelta(days=40 + n)
            meeting = MeetingFactory(
                board=public_board,
                created_by=alice,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                status=Meeting.Status.MINUTES_APPROVED,
            )
            audit_record(subject=meeting, actor=alice, verb="meeting.minutes_approved", summary="")
            decided(
                make_opportunity(title=f"Scheme {n}"),
                Status.APPROVED,
                {police: "approved", fire: "approved"},
            )

    def count() -> int:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(feed_url(public_board)).status_code == 200
        return len(captured.captured_queries)

    add(2)
    small = count()
    add(10)
    assert count() == small


# --- The Part 1 files ----------------------------------------------------------------------


def test_the_meeting_page_links_each_open_report_and_the_pack(
    client, public_board, published_meeting
):
    item = published_meeting.items.get(confidential=False)
    report = PaperFactory(meeting=published_meeting, agenda_item=item, title="Training report")
    secret = published_meeting.items.get(confidential=True)
    PaperFactory(meeting=published_meeting, agenda_item=secret, title="Papaya prices")
    Meeting.objects.filter(pk=published_meeting.pk).update(
        pack_state=Meeting.FileState.READY, pack_file="packs/part1.pdf"
    )
    url = reverse("public_meeting", args=[public_board.slug, published_meeting.pk])
    body = client.get(url).content.decode()
    paper_url = reverse("public_paper", args=[public_board.slug, published_meeting.pk, report.pk])
    assert paper_url in body and "Training report" in body
    assert reverse("public_pack", args=[public_board.slug, published_meeting.pk]) in body
    assert "Papaya" not in body


def test_a_visitor_downloads_an_open_report(client, public_board, published_meeting):
    item = published_meeting.items.get(confidential=False)
    report = PaperFactory(meeting=published_meeting, agenda_item=item, title="Training report")
    response = client.get(
        reverse("public_paper", args=[public_board.slug, published_meeting.pk, report.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_missing_file_is_a_clear_404(client, public_board, published_meeting):
    meeting = published_meeting
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_state=Meeting.FileState.READY, pack_file="packs/gone.pdf"
    )
    response = client.get(reverse("public_pack", args=[public_board.slug, meeting.pk]))
    assert response.status_code == 404
    assert "missing from the store" in response.content.decode()


def test_files_are_refused_when_the_pages_are_off(client, board, alice):
    meeting = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.PAPERS_PUBLISHED)
    meeting.pack_file.save("p.pdf", ContentFile(b"%PDF-1.4"), save=False)
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_state=Meeting.FileState.READY, pack_file=meeting.pack_file.name
    )
    paper = PaperFactory(meeting=meeting, agenda_item=AgendaItemFactory(meeting=meeting))
    for url in (
        reverse("public_pack", args=[board.slug, meeting.pk]),
        reverse("public_paper", args=[board.slug, meeting.pk, paper.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "switched off" in response.content.decode()


def test_a_public_file_may_not_be_posted_to(client, public_board, published_meeting):
    url = reverse("public_pack", args=[public_board.slug, published_meeting.pk])
    assert client.post(url).status_code == 405


def test_the_meeting_page_does_not_grow_in_queries_with_papers(
    client, public_board, published_meeting, django_assert_max_num_queries
):
    item = published_meeting.items.get(confidential=False)
    url = reverse("public_meeting", args=[public_board.slug, published_meeting.pk])

    def count() -> int:
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    PaperFactory(meeting=published_meeting, agenda_item=item)
    small = count()
    for _ in range(8):
        PaperFactory(meeting=published_meeting, agenda_item=item)
        PaperFactory(meeting=published_meeting)
    assert count() == small

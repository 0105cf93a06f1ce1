"""Minutes as a record: minute numbers per board per year, a resolution block per item,
Part 1 minutes (public: attendance, declarations, open items) and Part 2 minutes (the exempt
items with their declarations) for those who see exempt business."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import (
    DeclarationOfInterest,
    ExemptParagraph,
    Meeting,
    MeetingInvitation,
    Resolution,
)
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(held, alice, bob, dave, erin):
    secret = AgendaItemFactory(
        meeting=held,
        position=2,
        title="Depot sale",
        confidential=True,
        exempt_paragraph=ExemptParagraph.FINANCIAL,
        minutes="Members discussed the Quokka valuation.",
    )
    AgendaItemFactory(meeting=held, position=3, title="Training review", minutes="Noted.")
    held.invitations.update(attendance=MeetingInvitation.Attendance.PRESENT)
    MeetingInvitation.objects.filter(meeting=held, person=bob).update(
        attendance=MeetingInvitation.Attendance.SUBSTITUTE, substitute_name="Sam Stand-in"
    )
    DeclarationOfInterest.objects.create(
        meeting=held, agenda_item=secret, person=dave, nature="Walrus shares", recorded_by=alice
    )
    services.resolution_record(
        item=held.items.get(position=1),
        actor=alice,
        put_by=dave,
        wording="To note the estates report.",
        kind=Resolution.Kind.GENERAL,
        method=Resolution.Method.CONSENSUS,
    )
    services.meeting_transition(meeting=held, actor=alice, to=Meeting.Status.MINUTES_DRAFTED)
    return held


def approve(meeting, dave, capture):
    with capture(execute=True):
        services.meeting_transition(meeting=meeting, actor=dave, to=Meeting.Status.MINUTES_APPROVED)
    meeting.refresh_from_db()


def text_of(response) -> str:
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_drafting_numbers_every_item_in_agenda_order(drafted):
    year = timezone.localtime(drafted.starts_at).year
    assert list(drafted.items.values_list("minute_reference", flat=True)) == [
        f"JAB/{year}/1",
        f"JAB/{year}/2",
        f"JAB/{year}/3",
    ]


def test_numbers_run_on_across_the_boards_meetings_in_a_year(drafted, board, alice):
    later = MeetingFactory(
        board=board,
        created_by=alice,
        status=Meeting.Status.HELD,
        starts_at=drafted.starts_at + timedelta(hours=4),
    )
    AgendaItemFactory(meeting=later, position=1)
    services.meeting_transition(meeting=later, actor=alice, to=Meeting.Status.MINUTES_DRAFTED)
    year = timezone.localtime(later.starts_at).year
    assert later.items.get().minute_reference == f"JAB/{year}/4"


def test_part_1_minutes_hold_attendance_declarations_and_resolutions_but_no_exempt_business(
    client_of, drafted, dave, erin, django_capture_on_commit_callbacks
):
    approve(drafted, dave, django_capture_on_commit_callbacks)
    text = text_of(client_of(erin).get(reverse("minutes_download", args=[drafted.pk])))
    year = timezone.localtime(drafted.starts_at).year
    # A name may wrap at its hyphen in the attendance table's narrow column.
    assert "Sam Stand-in" in text.replace("-\n", "-")
    assert "Resolved" in text and "To note the estates report." in text
    assert "Carried by consensus" in text
    assert f"JAB/{year}/2 Item 2: exempt — paragraph 3" in text
    assert f"JAB/{year}/3 Item 3: Training review" in text
    for secret in ("Depot", "Quokka", "Walrus"):
        assert secret not in text


def test_part_2_minutes_hold_the_exempt_items_with_their_declarations(
    client_of, drafted, bob, dave, django_capture_on_commit_callbacks
):
    approve(drafted, dave, django_capture_on_commit_callbacks)
    text = text_of(client_of(bob).get(reverse("minutes_part2_download", args=[drafted.pk])))
    assert "not for publication" in text
    assert "Depot sale" in text and "Quokka" in text
    assert "Interest declared by Dave Dunn: Walrus shares" in text
    assert "Training review" not in text


def test_part_2_minutes_are_refused_to_guests_and_others(
    client, client_of, drafted, dave, erin, charlie, django_capture_on_commit_callbacks
):
    approve(drafted, dave, django_capture_on_commit_callbacks)
    url = reverse("minutes_part2_download", args=[drafted.pk])
    assert client_of(erin).get(url).status_code == 404
    assert client_of(charlie).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert url in client_of(dave).get(drafted.get_absolute_url()).content.decode()
    assert url not in client_of(erin).get(drafted.get_absolute_url()).content.decode()


def test_the_public_page_shows_minute_numbers_and_resolutions(
    client, drafted, board, dave, django_capture_on_commit_callbacks
):
    board.public_pages_enabled = True
    board.save()
    approve(drafted, dave, django_capture_on_commit_callbacks)
    body = client.get(reverse("public_meeting", args=[board.slug, drafted.pk])).content.decode()
    year = timezone.localtime(drafted.starts_at).year
    assert f"JAB/{year}/2 Item 2: exempt — paragraph 3" in body
    assert "To note the estates report." in body
    assert "Depot" not in body

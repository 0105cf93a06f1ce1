"""Part 1 and Part 2 packs: Part 1 for every invitee with each exempt item as its number and
paragraph, Part 2 (the exempt items and their papers) only for those who see exempt business;
both rebuilt when the meeting moves, and never served while a rebuild is under way."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from boards.models import BoardMembership
from meetings import services as meeting_services
from meetings.models import ExemptItemAdmission, ExemptParagraph, Meeting
from tests.factories import AgendaItemFactory, MembershipFactory, PaperFactory, UserFactory

from .helpers import invite_board, opened, time_boxes

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_with_exempt(meeting, alice, bob, dave, erin, django_capture_on_commit_callbacks):
    invite_board(meeting, alice, bob, dave, guests=[erin])
    secret = AgendaItemFactory(
        meeting=meeting,
        title="Depot sale",
        position=2,
        confidential=True,
        exempt_paragraph=ExemptParagraph.FINANCIAL,
    )
    AgendaItemFactory(meeting=meeting, title="Training review", position=3)
    PaperFactory(meeting=meeting, agenda_item=secret, title="Depot valuation", pages=2)
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    meeting_services.agenda_sign_off(meeting=meeting, actor=dave)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.PAPERS_PUBLISHED
        )
    meeting.refresh_from_db()
    return meeting


def text_of(response) -> str:
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def first_page_of(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return reader.pages[0].extract_text()


def part1(client, meeting):
    return client.get(reverse("pack_download", kwargs={"pk": meeting.pk}))


def part2(client, meeting):
    return client.get(reverse("pack_part2_download", kwargs={"pk": meeting.pk}))


def test_part_1_keeps_the_numbering_and_shows_the_paragraph(client_of, published_with_exempt, erin):
    text = text_of(part1(client_of(erin), published_with_exempt))
    assert "Depot" not in text
    assert "Exempt — paragraph 3" in text
    assert "Training review" in text


def test_part_2_holds_the_exempt_items_and_their_papers(client_of, published_with_exempt, bob):
    response = part2(client_of(bob), published_with_exempt)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = reader.pages[0].extract_text() + reader.pages[1].extract_text()
    assert "not for publication" in text
    assert "Depot sale" in text
    assert "exempt — paragraph 3" in text
    assert "Training review" not in text
    # Front sheet and agenda, then the two pages of the exempt paper, bookmarked by item.
    assert [entry.title for entry in reader.outline] == [
        "Front sheet and agenda",
        "Item 2: Depot valuation",
    ]


def test_part_2_is_refused_to_guests_observers_and_the_admitted(
    client, client_of, published_with_exempt, board, police, alice, erin, charlie
):
    observer = UserFactory(organisation=police)
    MembershipFactory(
        person=observer, board=board, organisation=police, role=BoardMembership.Role.OBSERVER
    )
    invite_board(published_with_exempt, observer)
    ExemptItemAdmission.objects.create(
        agenda_item=published_with_exempt.items.get(confidential=True),
        person=erin,
        admitted_by=alice,
    )
    for person in (erin, observer):
        assert part2(client_of(person), published_with_exempt).status_code == 404
    assert part2(client_of(charlie), published_with_exempt).status_code == 404
    client.logout()
    assert part2(client, published_with_exempt).status_code == 302


def test_the_meeting_page_offers_part_2_only_to_those_entitled(
    client_of, published_with_exempt, bob, erin
):
    url = reverse("pack_part2_download", kwargs={"pk": published_with_exempt.pk})
    assert url in client_of(bob).get(published_with_exempt.get_absolute_url()).content.decode()
    assert url not in client_of(erin).get(published_with_exempt.get_absolute_url()).content.decode()


def test_moving_the_meeting_rebuilds_both_packs_with_the_new_date_on_page_1(
    client_of, published_with_exempt, alice, bob, django_capture_on_commit_callbacks
):
    meeting = published_with_exempt
    moved = meeting.starts_at + timedelta(days=1)
    assert f"{moved:%-d %B %Y}" not in first_page_of(part1(client_of(bob), meeting))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(
            reverse("meeting_edit", kwargs={"pk": meeting.pk}),
            opened(
                meeting,
                {
                    "title": meeting.title,
                    **time_boxes("starts_at", f"{moved:%Y-%m-%dT%H:%M}"),
                    **time_boxes("ends_at", f"{moved + timedelta(hours=2):%Y-%m-%dT%H:%M}"),
                    "venue": "Leek Wootton",
                    "online_link": "",
                },
            ),
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.FileState.READY
    for pack in (part1, part2):
        page_one = first_page_of(pack(client_of(bob), meeting))
        assert f"{meeting.starts_at:%A %-d %B %Y}" in page_one
        assert "Leek Wootton" in page_one


def test_a_pack_being_rebuilt_is_never_served(
    client_of, published_with_exempt, alice, bob, django_capture_on_commit_callbacks
):
    meeting = published_with_exempt
    moved = meeting.starts_at + timedelta(days=1)
    # The rebuild is asked for; its task has not run yet.
    meeting_services.meeting_update(
        meeting=meeting,
        title=meeting.title,
        starts_at=moved,
        ends_at=moved + timedelta(hours=2),
        venue=meeting.venue,
        online_link="",
    )
    meeting.refresh_from_db()
    assert meeting.pack_state == Meeting.FileState.BUILDING
    response = part1(client_of(bob), meeting)
    assert response.status_code == 404
    assert "being rebuilt" in response.content.decode()
    page = client_of(bob).get(meeting.get_absolute_url()).content.decode()
    assert "being rebuilt with the latest changes" in page


def test_a_scheduled_meeting_cannot_be_moved_into_the_past(client_of, published_with_exempt, alice):
    meeting = published_with_exempt
    past = meeting.starts_at - timedelta(days=30)
    response = client_of(alice).post(
        reverse("meeting_edit", kwargs={"pk": meeting.pk}),
        opened(
            meeting,
            {
                "title": meeting.title,
                **time_boxes("starts_at", f"{past:%Y-%m-%dT%H:%M}"),
                **time_boxes("ends_at", f"{past + timedelta(hours=2):%Y-%m-%dT%H:%M}"),
                "venue": meeting.venue,
                "online_link": "",
            },
        ),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at > past
    messages = client_of(alice).get(meeting.get_absolute_url()).content.decode()
    assert "cannot be moved into the past" in messages


def test_an_exempt_item_needs_its_paragraph(client_of, meeting, alice):
    url = reverse("agenda_item_add", kwargs={"pk": meeting.pk})
    response = client_of(alice).post(url, {"title": "Depot sale", "confidential": "on"})
    assert response.status_code == 200
    assert "Choose the paragraph of Schedule 12A" in response.content.decode()
    response = client_of(alice).post(url, {"title": "Open item", "exempt_paragraph": "3"})
    assert response.status_code == 200
    assert not meeting.items.filter(title="Open item").exists()


def test_every_page_of_the_papers_carries_its_item_and_a_continuous_number(
    client_of, published_with_exempt, bob
):
    meeting = published_with_exempt
    PaperFactory(
        meeting=meeting, agenda_item=meeting.items.get(position=3), title="Training", pages=2
    )
    from meetings.pdfs import agenda_pack_store
    from meetings.services import pack_request_build

    pack_request_build(meeting=meeting)
    meeting.refresh_from_db()
    agenda_pack_store(meeting_id=meeting.pk, generation=meeting.pack_generation)
    reader = PdfReader(io.BytesIO(b"".join(part1(client_of(bob), meeting).streaming_content)))
    total = len(reader.pages)
    front = total - 2
    for number in (front + 1, front + 2):
        assert f"Item 3 · page {number} of {total}" in reader.pages[number - 1].extract_text()
    part_two = PdfReader(io.BytesIO(b"".join(part2(client_of(bob), meeting).streaming_content)))
    last = len(part_two.pages)
    assert f"Part 2 · Item 2 · page {last} of {last}" in part_two.pages[-1].extract_text()

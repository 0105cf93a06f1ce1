"""A meeting's life: every status change the transition table allows, and those it refuses."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import TRANSITIONS, Meeting, MeetingInvitation
from meetings.services import MeetingRefused
from tests.check_answers import confirm_step
from tests.meetings.helpers import time_boxes

pytestmark = pytest.mark.django_db
S = Meeting.Status


def move(client, meeting, to):
    return client.post(
        reverse("meeting_transition", kwargs={"pk": meeting.pk}), {"to": to}, follow=True
    )


def status_of(meeting):
    return Meeting.objects.get(pk=meeting.pk).status


def test_secretariat_schedules_a_draft_and_the_board_is_invited(
    client_of, meeting, alice, bob, dave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = move(client_of(alice), meeting, S.SCHEDULED)
    assert "The meeting is scheduled" in response.content.decode()
    assert status_of(meeting) == S.SCHEDULED
    invited = set(meeting.invitations.values_list("person__full_name", flat=True))
    assert invited == {"Alice Archer", "Bob Baker", "Dave Dunn"}
    quorum = dict(meeting.invitations.values_list("person__full_name", "counts_for_quorum"))
    assert quorum == {"Alice Archer": False, "Bob Baker": True, "Dave Dunn": True}


def test_papers_cannot_be_published_before_the_chair_signs_the_agenda_off(
    client_of, meeting, alice
):
    meeting.status = S.SCHEDULED
    meeting.save()
    response = move(client_of(alice), meeting, S.PAPERS_PUBLISHED)
    assert "The chair must sign the agenda off" in response.content.decode()
    assert status_of(meeting) == S.SCHEDULED


def test_papers_are_published_once_the_agenda_is_signed_off(client_of, meeting, alice, dave):
    meeting.status = S.SCHEDULED
    meeting.save()
    client_of(dave).post(reverse("agenda_sign_off", kwargs={"pk": meeting.pk}))
    response = move(client_of(alice), meeting, S.PAPERS_PUBLISHED)
    assert "The papers are published" in response.content.decode()
    assert status_of(meeting) == S.PAPERS_PUBLISHED


def test_a_meeting_cannot_be_marked_held_before_it_starts(client_of, published, alice):
    response = move(client_of(alice), published, S.HELD)
    assert "has not started yet" in response.content.decode()
    assert status_of(published) == S.PAPERS_PUBLISHED


def test_a_meeting_is_marked_held_once_it_has_started(client_of, published, alice):
    published.starts_at = timezone.now() - timedelta(minutes=5)
    published.save()
    move(client_of(alice), published, S.HELD)
    assert status_of(published) == S.HELD


def test_minutes_drafted_then_approved_by_the_chair_only(client_of, held, alice, dave):
    move(client_of(alice), held, S.MINUTES_DRAFTED)
    assert status_of(held) == S.MINUTES_DRAFTED
    response = client_of(alice).post(
        reverse("meeting_transition", kwargs={"pk": held.pk}), {"to": S.MINUTES_APPROVED}
    )
    assert response.status_code == 403
    assert "chair or vice-chair may do this" in response.content.decode()
    # The chair's button shows what will happen first; only its confirmation approves them.
    check = move(client_of(dave), held, S.MINUTES_APPROVED)
    assert "Check before you approve the minutes of Winter meeting" in check.content.decode()
    assert status_of(held) == S.MINUTES_DRAFTED
    confirm_step(
        client_of(dave),
        reverse("meeting_transition", kwargs={"pk": held.pk}),
        {"to": S.MINUTES_APPROVED},
    )
    held.refresh_from_db()
    assert held.status == S.MINUTES_APPROVED
    assert held.minutes_approved_by == dave


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.DRAFT, S.PAPERS_PUBLISHED),
        (S.DRAFT, S.HELD),
        (S.SCHEDULED, S.HELD),
        (S.SCHEDULED, S.MINUTES_APPROVED),
        (S.HELD, S.SCHEDULED),
        (S.HELD, S.MINUTES_APPROVED),
        (S.MINUTES_APPROVED, S.MINUTES_DRAFTED),
        (S.CANCELLED, S.SCHEDULED),
    ],
)
def test_steps_the_table_does_not_allow_are_refused(meeting, alice, start, to):
    meeting.status = start
    meeting.save()
    with pytest.raises(MeetingRefused, match="cannot be marked"):
        meeting_services.meeting_transition(meeting=meeting, actor=alice, to=to)
    assert status_of(meeting) == start


def test_the_table_allows_every_forward_step_and_no_step_back():
    order = [
        S.DRAFT,
        S.SCHEDULED,
        S.PAPERS_PUBLISHED,
        S.HELD,
        S.MINUTES_DRAFTED,
        S.MINUTES_APPROVED,
    ]
    for here, there in itertools.pairwise(order):
        assert there in TRANSITIONS[here]
    assert S.MINUTES_APPROVED not in TRANSITIONS
    assert S.CANCELLED not in TRANSITIONS


def test_a_past_start_cannot_be_scheduled(meeting, alice):
    meeting.starts_at = timezone.now() - timedelta(days=1)
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    meeting.save()
    with pytest.raises(MeetingRefused, match="in the past"):
        meeting_services.meeting_transition(meeting=meeting, actor=alice, to=S.SCHEDULED)


def test_a_stale_page_does_not_move_the_meeting_twice(meeting, alice):
    stale = Meeting.objects.get(pk=meeting.pk)
    meeting_services.meeting_transition(meeting=meeting, actor=alice, to=S.SCHEDULED)
    with pytest.raises(MeetingRefused, match="Someone else changed this meeting"):
        meeting_services.meeting_transition(meeting=stale, actor=alice, to=S.SCHEDULED)
    assert MeetingInvitation.objects.filter(meeting=meeting).count() == 3


def test_an_unknown_step_is_a_bad_request(client_of, meeting, alice):
    response = client_of(alice).post(
        reverse("meeting_transition", kwargs={"pk": meeting.pk}), {"to": "exploded"}
    )
    assert response.status_code == 400
    assert "That is not a step a meeting can take." in response.content.decode()


def test_cancelling_needs_a_reason(client_of, published, alice):
    response = client_of(alice).post(
        reverse("meeting_cancel", kwargs={"pk": published.pk}), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Enter the reason for cancelling" in response.content.decode()
    assert status_of(published) == S.PAPERS_PUBLISHED


def test_a_held_meeting_cannot_be_cancelled(held, alice):
    with pytest.raises(MeetingRefused):
        meeting_services.meeting_transition(
            meeting=held, actor=alice, to=S.CANCELLED, reason="Too late"
        )


def test_secretariat_creates_a_draft_meeting(client_of, board, alice):
    response = client_of(alice).post(
        reverse("meeting_create", kwargs={"slug": board.slug}),
        {
            "title": "Spring meeting",
            **time_boxes("starts_at", "2031-03-04T10:00"),
            **time_boxes("ends_at", "2031-03-04T12:00"),
            "venue": "Shire Hall, Warwick",
            "online_link": "",
        },
    )
    meeting = Meeting.objects.get(title="Spring meeting")
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.status == S.DRAFT
    assert meeting.created_by == alice


def test_a_meeting_needs_a_place_and_must_end_after_it_starts(client_of, board, alice):
    response = client_of(alice).post(
        reverse("meeting_create", kwargs={"slug": board.slug}),
        {
            "title": "Bad",
            **time_boxes("starts_at", "2031-03-04T10:00"),
            **time_boxes("ends_at", "2031-03-04T09:00"),
            "venue": "",
            "online_link": "",
        },
    )
    body = response.content.decode()
    assert "The meeting must end after it starts." in body
    assert "Give a venue, an online meeting link, or both." in body
    assert not Meeting.objects.filter(title="Bad").exists()

"""Invitees reply attending / apologies / sending a substitute; the secretariat sees whether the
meeting will be quorate under the board's rule (at least N member bodies represented)."""

import re

import pytest
from django.urls import reverse

from meetings.models import MeetingInvitation
from tests.factories import MembershipFactory, UserFactory

from .helpers import invite_board, reply

pytestmark = pytest.mark.django_db
Reply = MeetingInvitation.Reply


def reply_url(meeting):
    return reverse("invitation_reply", kwargs={"pk": meeting.pk})


def test_member_replies_attending_from_the_portal(client_of, published, bob):
    response = client_of(bob).post(reply_url(published), {"reply": "attending"}, follow=True)
    assert "your reply is “Attending”" in response.content.decode()
    invitation = MeetingInvitation.objects.get(meeting=published, person=bob)
    assert invitation.reply == Reply.ATTENDING
    assert invitation.replied_at is not None


def test_the_emailed_link_opens_the_reply_form_with_the_answer_chosen(client_of, published, bob):
    response = client_of(bob).get(reply_url(published) + "?answer=apologies")
    assert response.status_code == 200
    checked = re.findall(r'<input[^>]*name="reply"[^>]*checked>', response.content.decode())
    assert len(checked) == 1 and 'value="apologies"' in checked[0]


def test_sending_a_substitute_needs_their_name(client_of, published, bob):
    response = client_of(bob).post(reply_url(published), {"reply": "substitute"})
    assert response.status_code == 200
    assert "Name the person you are sending in your place." in response.content.decode()
    client_of(bob).post(
        reply_url(published), {"reply": "substitute", "substitute_name": "Sam Stone, AM"}
    )
    invitation = MeetingInvitation.objects.get(meeting=published, person=bob)
    assert (invitation.reply, invitation.substitute_name) == (Reply.SUBSTITUTE, "Sam Stone, AM")


def test_an_unknown_reply_is_a_form_error(client_of, published, bob):
    response = client_of(bob).post(reply_url(published), {"reply": "maybe"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_replies_close_once_the_meeting_is_held(client_of, held, bob):
    response = client_of(bob).post(reply_url(held), {"reply": "apologies"}, follow=True)
    assert "Replies to this meeting are closed." in response.content.decode()
    assert MeetingInvitation.objects.get(meeting=held, person=bob).reply == Reply.NO_REPLY


def test_a_board_member_not_invited_cannot_reply(client_of, published, board, fire):
    frank = UserFactory(organisation=fire)
    MembershipFactory(person=frank, board=board)
    response = client_of(frank).post(reply_url(published), {"reply": "attending"})
    assert response.status_code == 403
    assert "You are not invited to this meeting" in response.content.decode()


def quorum_text(client, meeting):
    body = client.get(meeting.get_absolute_url()).content.decode()
    start = body.index('class="quorum')
    line = body[start : body.index("</p>", start)]
    # The bodies are named by their short names, each in an <abbr> with its full name.
    assert "<abbr title=" in line or "represented;" in line
    return re.sub(r"</?abbr[^>]*>", "", line)


def test_secretariat_sees_replies_and_that_the_meeting_will_be_quorate(
    client_of, published, alice, bob, dave
):
    # The board's rule in the fixtures: two bodies. The secretariat does not count.
    reply(published, alice, Reply.ATTENDING)
    reply(published, bob, Reply.ATTENDING)
    text = quorum_text(client_of(alice), published)
    assert "Not yet quorate" in text and "1 member body will be represented (WFRS)" in text
    reply(published, dave, Reply.SUBSTITUTE)
    text = quorum_text(client_of(alice), published)
    assert "Will be quorate" in text and "(Police, WFRS)" in text


def test_apologies_and_guests_do_not_count_towards_quorum(
    client_of, published, alice, bob, dave, erin
):
    reply(published, bob, Reply.ATTENDING)
    reply(published, dave, Reply.APOLOGIES)
    reply(published, erin, Reply.ATTENDING)
    text = quorum_text(client_of(alice), published)
    assert "Not yet quorate" in text and "(WFRS)" in text


def test_two_people_from_one_body_count_once(client_of, meeting, board, alice, fire):
    board.quorum_bodies = 2
    board.save()
    people = []
    for _ in range(2):
        person = UserFactory(organisation=fire)
        MembershipFactory(person=person, board=board)
        people.append(person)
    invite_board(meeting, *people)
    meeting.status = "scheduled"
    meeting.save()
    for person in people:
        reply(meeting, person, Reply.ATTENDING)
    assert "1 member body will be represented" in quorum_text(client_of(alice), meeting)


def test_after_the_meeting_quorum_follows_attendance(client_of, held, alice, bob, dave):
    client_of(alice).post(
        reverse("attendance_record", kwargs={"pk": held.pk}),
        {
            f"attendance_{i.pk}": ("present" if i.person in (bob, dave) else "absent")
            for i in held.invitations.select_related("person")
        },
    )
    text = quorum_text(client_of(alice), held)
    assert "Quorate" in text and "(Police, WFRS)" in text

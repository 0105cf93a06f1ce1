"""Membership ends, access ends: someone invited as a member who has since left the board keeps
nothing of the meeting (its page, papers, pack, replies, declarations, actions, feed); a guest's
invitation and a current member's stand."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership
from meetings import selectors
from meetings import services as meeting_services
from meetings.models import Action, DeclarationOfInterest, MeetingInvitation
from tests.factories import ActionFactory, PaperFactory

pytestmark = pytest.mark.django_db


def leave_board(person, board):
    BoardMembership.objects.filter(person=person, board=board).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )


@pytest.fixture
def paper(published):
    return PaperFactory(meeting=published)


def meeting_urls(meeting, paper):
    return [
        reverse("meeting_detail", kwargs={"pk": meeting.pk}),
        reverse("paper_download", kwargs={"pk": meeting.pk, "paper": paper.pk}),
        reverse("pack_download", kwargs={"pk": meeting.pk}),
        reverse("meeting_ics", kwargs={"pk": meeting.pk}),
    ]


def test_a_member_opens_the_meeting_and_its_papers_while_on_the_board(
    client_of, published, paper, bob
):
    client = client_of(bob)
    detail, download = meeting_urls(published, paper)[:2]
    assert client.get(detail).status_code == 200
    assert client.get(download).status_code == 200


def test_a_former_member_can_no_longer_open_the_meeting_its_papers_or_pack(
    client_of, published, paper, bob, board
):
    leave_board(bob, board)
    client = client_of(bob)
    for url in meeting_urls(published, paper):
        assert client.get(url).status_code == 404, url


def test_a_former_member_cannot_reply(client_of, published, bob, board):
    leave_board(bob, board)
    response = client_of(bob).post(
        reverse("invitation_reply", kwargs={"pk": published.pk}), {"reply": "attending"}
    )
    assert response.status_code == 404
    invitation = MeetingInvitation.objects.get(meeting=published, person=bob)
    assert invitation.reply == MeetingInvitation.Reply.NO_REPLY


def test_a_former_members_earlier_reply_no_longer_counts_for_quorum(published, bob, board):
    invitation = MeetingInvitation.objects.get(meeting=published, person=bob)
    meeting_services.invitation_reply(
        invitation=invitation, reply=MeetingInvitation.Reply.ATTENDING, substitute_name=""
    )
    before = selectors.meeting_quorum(
        board=board, invitations=selectors.meeting_invitations(published)
    )
    leave_board(bob, board)
    after = selectors.meeting_quorum(
        board=board, invitations=selectors.meeting_invitations(published)
    )
    assert bob.organisation.short_name in before.bodies
    assert bob.organisation.short_name not in after.bodies


def test_a_former_member_cannot_declare_an_interest(client_of, held, bob, board):
    leave_board(bob, board)
    response = client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {"agenda_item": "", "nature": "My spouse works for the contractor."},
    )
    assert response.status_code == 404
    assert not DeclarationOfInterest.objects.exists()


def test_a_former_member_cannot_change_their_actions_and_no_longer_sees_them(
    client_of, held, bob, board
):
    action = ActionFactory(meeting=held, owner=bob, description="Cost the shared depot.")
    assert "Cost the shared depot." in client_of(bob).get(reverse("home")).content.decode()
    leave_board(bob, board)
    response = client_of(bob).post(
        reverse("action_status", kwargs={"pk": held.pk, "action": action.pk}),
        {"status": "done"},
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status != Action.Status.DONE
    assert "Cost the shared depot." not in client_of(bob).get(reverse("home")).content.decode()


def test_a_former_members_home_and_calendar_feed_drop_the_meeting(client_of, published, bob, board):
    feed = reverse(
        "calendar_feed", kwargs={"token": meeting_services.calendar_feed_of(person=bob).token}
    )
    client = client_of(bob)
    assert published.title in client.get(reverse("home")).content.decode()
    assert published.title.encode() in client.get(feed).content
    leave_board(bob, board)
    client = client_of(bob)
    assert published.title not in client.get(reverse("home")).content.decode()
    assert published.title.encode() not in client.get(feed).content


def test_a_guest_invitation_still_stands(client_of, published, paper, erin):
    client = client_of(erin)
    detail, download = meeting_urls(published, paper)[:2]
    assert client.get(detail).status_code == 200
    assert client.get(download).status_code == 200
    response = client.post(
        reverse("invitation_reply", kwargs={"pk": published.pk}), {"reply": "attending"}
    )
    assert response.status_code == 302


def test_a_member_whose_membership_starts_later_has_no_access_yet(
    client_of, published, paper, bob, board
):
    BoardMembership.objects.filter(person=bob, board=board).update(
        starts_on=timezone.localdate() + timedelta(days=3)
    )
    assert client_of(bob).get(meeting_urls(published, paper)[0]).status_code == 404


def test_an_action_cannot_be_given_to_a_former_member(client_of, held, alice, bob, board):
    leave_board(bob, board)
    response = client_of(alice).post(
        reverse("action_add", kwargs={"pk": held.pk}),
        {"description": "Cost the shared depot.", "owner": bob.pk, "due_on": "2027-01-31"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.exists()

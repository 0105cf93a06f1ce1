from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership, PersonInvitation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_member_sees_their_board_organisation_and_role(client_of, bob, board):
    page = home(client_of(bob))
    assert board.name in page
    assert "Warwickshire Fire and Rescue Service" in page
    assert "Member" in page
    assert "Nothing needs your attention right now." in page
    assert "Executive authority" not in page


def test_secretariat_sees_invitations_awaiting_acceptance(client_of, alice, board, police):
    invited = UserFactory(full_name="Dana Doyle", organisation=police)
    PersonInvitation.issue(person=invited, board=board, invited_by=alice)
    page = home(client_of(alice))
    assert "Secretariat" in page
    assert "Invitations not yet accepted" in page
    assert "Dana Doyle" in page


def test_member_does_not_see_invitations(client_of, alice, bob, board, police):
    invited = UserFactory(full_name="Dana Doyle", organisation=police)
    PersonInvitation.issue(person=invited, board=board, invited_by=alice)
    assert "Dana Doyle" not in home(client_of(bob))


def test_executive_sees_the_body_they_decide_for(client_of, erin):
    page = home(client_of(erin))
    assert "Executive authority" in page
    assert "Fire and Rescue Authority" in page
    assert "You hold no current role on a board" in page


def test_person_holding_several_roles_sees_each(client_of, bob, board, fire):
    MembershipFactory(person=bob, board=board, role=BoardMembership.Role.VICE_CHAIR)
    page = home(client_of(bob))
    assert "Member" in page
    assert "Vice-chair" in page


def test_ended_membership_is_not_shown(client_of, fire, board):
    person = UserFactory(organisation=fire)
    MembershipFactory(person=person, board=board, ends_on=timezone.localdate() - timedelta(days=1))
    page = home(client_of(person))
    assert board.name not in page
    assert "You hold no current role on a board" in page


def test_person_of_another_board_does_not_see_this_board(client_of, charlie, board):
    page = home(client_of(charlie))
    assert board.name not in page
    assert "Elsewhere Board" in page


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/"


def test_home_page_queries_do_not_grow_with_memberships(
    client_of, alice, board, police, django_assert_max_num_queries
):
    client = client_of(alice)

    def add_invitations(count):
        for _ in range(count):
            PersonInvitation.issue(
                person=UserFactory(organisation=police), board=board, invited_by=alice
            )

    client.get(reverse("home"))  # renews the session, which later requests need not do
    add_invitations(2)
    # 14: the session's second-factor device is one of them, and the new-proposals panel two.
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("home"))
    add_invitations(20)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("home"))
    assert response.content.decode().count("link expires") == 22
    assert len(large.captured_queries) == len(small.captured_queries)

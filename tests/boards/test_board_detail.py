import pytest
from django.urls import reverse

from boards.models import BoardMembership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def board_url(board):
    return reverse("board_detail", kwargs={"slug": board.slug})


def test_member_sees_the_members_grouped_by_body(client_of, alice, bob, board):
    response = client_of(bob).get(board_url(board))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alice Archer" in body and "Bob Baker" in body
    assert "Executive body: Chief Constable" in body
    assert "Invite a person" not in body
    assert "Invitations not yet accepted" not in body


def test_secretariat_sees_the_invite_button(client_of, alice, board):
    body = client_of(alice).get(board_url(board)).content.decode()
    assert "Invite a person" in body
    assert "Invitations not yet accepted" in body


def test_prospective_member_is_marked(client_of, bob, board):
    board.organisations.add(
        OrganisationFactory(name="West Midlands Ambulance Service", short_name="WMAS", active=False)
    )
    body = client_of(bob).get(board_url(board)).content.decode()
    assert "West Midlands Ambulance Service" in body
    assert "Prospective member" in body


def test_person_of_another_board_gets_not_found(client_of, charlie, board):
    assert client_of(charlie).get(board_url(board)).status_code == 404


def test_executive_without_a_board_role_gets_not_found(client_of, erin, board):
    assert client_of(erin).get(board_url(board)).status_code == 404


def test_unknown_board_gets_a_human_not_found_page(client_of, bob):
    response = client_of(bob).get(reverse("board_detail", kwargs={"slug": "no-such-board"}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client, board):
    response = client.get(board_url(board))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_board_page_queries_do_not_grow_with_members(
    client_of, bob, board, police, fire, django_assert_max_num_queries
):
    client = client_of(bob)

    def add_members(count):
        for index in range(count):
            MembershipFactory(
                person=UserFactory(organisation=police if index % 2 else fire),
                board=board,
                role=BoardMembership.Role.MEMBER,
            )

    client.get(board_url(board))  # renews the session, which later requests need not do
    add_members(3)
    with django_assert_max_num_queries(10) as small:
        client.get(board_url(board))
    add_members(30)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(board_url(board))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count("<tr><td>") == 34

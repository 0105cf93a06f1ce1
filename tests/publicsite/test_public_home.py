"""The board's public home page: its purpose, its member bodies and their members."""

import pytest
from django.urls import reverse

from boards.models import Board, BoardMembership
from tests.factories import MembershipFactory, UserFactory

from .conftest import leaks

pytestmark = pytest.mark.django_db


def home_url(board) -> str:
    return reverse("public_home", args=[board.slug])


def test_the_home_page_shows_purpose_bodies_and_voting_members(
    client, public_board, alice, bob, dave, police, fire
):
    Board.objects.filter(pk=public_board.pk).update(
        public_summary="We find and drive collaboration.", terms_of_reference="Advisory only."
    )
    response = client.get(home_url(public_board))
    assert response.status_code == 200
    body = response.content.decode()
    assert "We find and drive collaboration." in body and "Advisory only." in body
    assert police.name in body and fire.name in body
    assert "Dave Dunn" in body and "Chair" in body
    assert "Bob Baker" in body
    assert "Alice Archer" not in body  # an officer of the secretariat, not a member
    assert leaks(body) == []  # no e-mail address
    assert reverse("public_meeting_list", args=[public_board.slug]) in body
    assert reverse("public_register", args=[public_board.slug]) in body


def test_a_member_whose_term_ended_is_not_named(client, public_board, fire):
    former = UserFactory(full_name="Former Member", organisation=fire)
    MembershipFactory(
        person=former,
        board=public_board,
        role=BoardMembership.Role.MEMBER,
        ends_on="2018-01-01",
    )
    assert "Former Member" not in client.get(home_url(public_board)).content.decode()


def test_the_home_page_does_not_grow_in_queries_with_members(
    client, public_board, fire, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            person = UserFactory(organisation=fire)
            MembershipFactory(person=person, board=public_board)

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(home_url(public_board)).status_code == 200
        return len(captured.captured_queries)

    add(2)
    small = count()
    add(15)
    assert count() == small

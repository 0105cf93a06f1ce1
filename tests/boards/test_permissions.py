from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from boards import permissions
from boards.models import BoardMembership
from tests.factories import AuthorityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(person):
    """The person as a new request would see them (no remembered roles)."""
    return type(person).objects.get(pk=person.pk)


def test_roles_are_data_and_a_person_may_hold_several(bob, board):
    MembershipFactory(person=bob, board=board, role=BoardMembership.Role.CHAIR)
    bob = fresh(bob)
    assert permissions.roles_on(bob, board) == {"member", "chair"}
    assert permissions.is_chair(bob, board)
    assert not permissions.is_secretariat(bob, board)


def test_a_membership_counts_only_between_its_dates(fire, board):
    today = timezone.localdate()
    past = UserFactory(organisation=fire)
    MembershipFactory(
        person=past,
        board=board,
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=1),
    )
    future = UserFactory(organisation=fire)
    MembershipFactory(person=future, board=board, starts_on=today + timedelta(days=1))
    last_day = UserFactory(organisation=fire)
    MembershipFactory(person=last_day, board=board, ends_on=today)
    assert not permissions.can_view_board(fresh(past), board)
    assert not permissions.can_view_board(fresh(future), board)
    assert permissions.can_view_board(fresh(last_day), board)


def test_only_the_secretariat_may_invite_people(alice, bob, charlie, erin, board):
    assert permissions.can_invite_people(fresh(alice), board)
    for person in (bob, charlie, erin):
        assert not permissions.can_invite_people(fresh(person), board)
    assert not permissions.can_invite_people(AnonymousUser(), board)


def test_an_executive_decides_for_their_own_body_only(erin, fire, police):
    erin = fresh(erin)
    assert permissions.can_decide_for(erin, fire)
    assert not permissions.can_decide_for(erin, police)


def test_board_membership_gives_no_executive_authority(alice, bob, police, fire):
    assert not permissions.can_decide_for(fresh(alice), police)
    assert not permissions.can_decide_for(fresh(bob), fire)
    assert not permissions.can_decide_for(AnonymousUser(), fire)


def test_lapsed_authority_and_inactive_bodies_give_no_authority(fire):
    today = timezone.localdate()
    lapsed = UserFactory(organisation=fire)
    AuthorityFactory(person=lapsed, organisation=fire, ends_on=today - timedelta(days=1))
    assert not permissions.can_decide_for(fresh(lapsed), fire)

    current = UserFactory(organisation=fire)
    AuthorityFactory(person=current, organisation=fire)
    fire.active = False
    fire.save()
    assert not permissions.can_decide_for(fresh(current), fire)


def test_roles_are_read_once_per_person_object_and_then_kept_in_the_cache(
    bob, board, django_assert_num_queries, django_assert_max_num_queries
):
    first = fresh(bob)
    # Roles, authorities and second factors together, once.
    with django_assert_max_num_queries(3):
        permissions.can_view_board(first, board)
    with django_assert_num_queries(0):
        permissions.is_secretariat(first, board)
        permissions.is_chair(first, board)
        permissions.is_executive(first)
    # The next request's person object: from the cache.
    second = fresh(bob)
    with django_assert_num_queries(0):
        assert permissions.can_view_board(second, board)


def test_templates_ask_by_rule_name_and_unknown_names_are_an_error(alice, board):
    assert permissions.may(fresh(alice), "invite_people", board)
    with pytest.raises(ValueError, match="No permission rule"):
        permissions.may(fresh(alice), "launch_rockets", board)

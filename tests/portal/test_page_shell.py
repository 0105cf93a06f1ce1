"""The layout every signed-in page shares reads the person's roles and unread count from the
cache: once warm it costs no query beyond the session and the person, any change to what it
shows is seen by the very next page, and nobody is ever shown another person's navigation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, BoardMembership, ExecutiveAuthority, Organisation, User
from tests.factories import AuthorityFactory, BoardFactory, MembershipFactory
from tests.two_factor import authenticator_of

pytestmark = pytest.mark.django_db
PAGE = reverse("password_change_done")
YESTERDAY = timezone.localdate() - timedelta(days=1)


def page(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def signed_in(client, client_of, person):
    """A signed-in client; the people who need a second factor pass it, the others have none."""
    if person.email.startswith("bob"):
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client
    return client_of(person)


@pytest.mark.parametrize("who", ["alice", "erin", "bob"])
def test_the_trivial_page_costs_only_the_session_and_the_person_once_the_cache_is_warm(
    who, request, client, client_of, django_assert_max_num_queries
):
    person = request.getfixturevalue(who)
    browser = signed_in(client, client_of, person)
    page(browser)
    page(browser)
    with django_assert_max_num_queries(2):
        page(browser)


def test_a_role_added_shows_on_the_next_page(client, client_of, bob, board, fire):
    browser = signed_in(client, client_of, bob)
    assert "Decisions" not in page(browser)
    MembershipFactory(person=bob, board=board, organisation=fire, role="secretariat")
    # The secretariat must have a second factor: the very next page asks bob to set one up.
    response = browser.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    assert "Decisions" in page(client_of(bob))


def test_a_role_ended_goes_from_the_next_page(client_of, alice):
    browser = client_of(alice)
    assert "Decisions" in page(browser)
    membership = BoardMembership.objects.get(person=alice, role="secretariat")
    membership.starts_on = YESTERDAY - timedelta(days=1)
    membership.ends_on = YESTERDAY
    membership.save()
    assert "Decisions" not in page(browser)


def test_roles_ended_in_bulk_go_from_the_next_page(client_of, alice):
    browser = client_of(alice)
    assert "Decisions" in page(browser)
    BoardMembership.objects.filter(person=alice).update(starts_on=YESTERDAY, ends_on=YESTERDAY)
    assert "Decisions" not in page(browser)


def test_a_role_deleted_goes_from_the_next_page(client_of, alice):
    browser = client_of(alice)
    assert "Decisions" in page(browser)
    BoardMembership.objects.filter(person=alice).delete()
    assert "Decisions" not in page(browser)


def test_a_role_moved_to_another_person_leaves_both_up_to_date(client_of, alice, bob):
    alice_browser = client_of(alice)
    assert "Decisions" in page(alice_browser)
    membership = BoardMembership.objects.get(person=alice, role="secretariat")
    membership.person = bob
    membership.save()
    assert "Decisions" not in page(alice_browser)
    alice_browser.logout()
    assert "Decisions" in page(client_of(bob))


def test_an_authority_granted_shows_on_the_next_page(client, client_of, bob, fire):
    browser = signed_in(client, client_of, bob)
    assert "Referrals to decide" not in page(browser)
    AuthorityFactory(person=bob, organisation=fire)
    authenticator_of(bob)  # an executive must have a second factor: bob now has one...
    assert client.get(PAGE).status_code == 302  # ...and passes it before any page
    assert "Referrals to decide" in page(client_of(bob))


def test_an_authority_ended_goes_from_the_next_page(client_of, erin):
    browser = client_of(erin)
    assert "Referrals to decide" in page(browser)
    ExecutiveAuthority.objects.filter(person=erin).update(starts_on=YESTERDAY, ends_on=YESTERDAY)
    assert "Referrals to decide" not in page(browser)


def test_an_authority_ended_one_by_one_goes_from_the_next_page(client_of, erin):
    browser = client_of(erin)
    assert "Referrals to decide" in page(browser)
    authority = ExecutiveAuthority.objects.get(person=erin)
    authority.starts_on = YESTERDAY
    authority.ends_on = YESTERDAY
    authority.save()
    assert "Referrals to decide" not in page(browser)


def test_a_body_that_leaves_takes_its_executives_authority_with_it(client_of, erin, fire):
    browser = client_of(erin)
    assert "Referrals to decide" in page(browser)
    fire.active = False
    fire.save()
    assert "Referrals to decide" not in page(browser)


def test_a_board_renamed_shows_its_new_name_on_the_next_page(client_of, alice, board, police):
    other = BoardFactory(name="Second Advisory Board", slug="second")
    MembershipFactory(person=alice, board=other, organisation=police, role="member")
    browser = client_of(alice)
    assert "Meetings (Second Advisory Board)" in page(browser)
    other.name = "Renamed Advisory Board"
    other.save()
    assert "Meetings (Renamed Advisory Board)" in page(browser)
    Board.objects.filter(pk=other.pk).update(name="Bulk Renamed Board")
    assert "Meetings (Bulk Renamed Board)" in page(browser)


def test_a_name_change_shows_on_the_next_page(client_of, alice):
    browser = client_of(alice)
    assert "Alice" in page(browser)
    alice.full_name = "Alicia Newname"
    alice.save()
    assert "Alicia Newname" in page(browser)


def test_a_person_deactivated_loses_their_authority_and_their_session(client_of, erin):
    from boards.permissions import executive_organisation_ids

    browser = client_of(erin)
    assert "Referrals to decide" in page(browser)
    User.objects.filter(pk=erin.pk).update(is_active=False)
    assert executive_organisation_ids(User.objects.get(pk=erin.pk)) == frozenset()
    assert browser.get(PAGE).status_code == 302  # signed out: an inactive person has no pages


def test_an_organisation_renamed_is_the_persons_own_on_the_next_request(alice, police):
    from boards.person_cache import record_of

    assert record_of(User.objects.get(pk=alice.pk)).organisation.name == police.name
    Organisation.objects.filter(pk=police.pk).update(name="Warwickshire Constabulary")
    person = User.objects.get(pk=alice.pk)
    assert record_of(person).organisation.name == "Warwickshire Constabulary"
    assert person.organisation.name == "Warwickshire Constabulary"


def test_a_removed_second_factor_unverifies_the_session_at_once(client_of, alice):
    browser = client_of(alice)
    page(browser)
    authenticator_of(alice).delete()
    response = browser.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_two_people_one_after_the_other_each_see_only_their_own_navigation(
    client, client_of, alice, bob, erin
):
    first = page(client_of(alice))
    assert "Alice" in first and "Decisions" in first
    client.logout()
    second = page(signed_in(client, client_of, bob))
    assert "Bob Baker" in second
    assert "Alice" not in second and "Decisions" not in second
    client.logout()
    third = page(client_of(erin))
    assert "Erin Evans" in third and "Referrals to decide" in third
    assert "Bob Baker" not in third and "Decisions" not in third and "Meetings" not in third
    client.logout()
    again = page(client_of(alice))
    assert "Referrals to decide" not in again and "Erin Evans" not in again


def test_the_current_page_is_marked_in_the_cached_navigation(client_of, alice, board):
    browser = client_of(alice)
    meetings = reverse("meeting_list", args=[board.slug])
    assert f'class="nav-link" href="{meetings}"' in page(browser)
    assert f'class="nav-link active" href="{meetings}"' in browser.get(meetings).content.decode()
    assert f'class="nav-link" href="{meetings}"' in page(browser)


def test_the_cached_navigation_carries_each_requests_own_sign_out_token(alice):
    import re

    from django.test import Client

    from portal.templatetags.page_shell import CSRF_PLACEHOLDER
    from tests.two_factor import pass_second_factor

    tokens = []
    for _ in range(2):  # two browsers, the second served the navigation from the cache
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
        pass_second_factor(browser, alice)
        body = page(browser)
        assert CSRF_PLACEHOLDER not in body
        token = re.search(
            r'action="/sign-out/">\s*<input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"',
            body,
        )
        assert token is not None
        tokens.append(token.group(1))
        assert (
            browser.post("/sign-out/", {"csrfmiddlewaretoken": token.group(1)}).status_code == 302
        )
        assert browser.get(PAGE).status_code == 302  # signed out
    assert tokens[0] != tokens[1]

"""The notification settings page: each person chooses, per kind of notice, how to hear of it."""

import re

import pytest
from django.urls import reverse

from notifications.forms import SECTIONS
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.selectors import notification_preferences_of
from notifications.services import (
    PreferenceNotAllowed,
    notification_preferences_set,
)
from tests.factories import AuthorityFactory

from .helpers import prefer

pytestmark = pytest.mark.django_db
URL = reverse("notification_preferences")
KINDS = Notification.Kind.values


def choices(**overrides) -> dict[str, str]:
    """A complete submission: every kind at once, except the ones named."""
    return {kind: overrides.get(kind, Delivery.IMMEDIATE) for kind in KINDS}


def saved(person) -> dict[str, str]:
    return dict(person.notification_preferences.values_list("kind", "delivery"))


@pytest.mark.parametrize("who", ["alice", "bob", "erin", "charlie"])
def test_each_person_sees_a_labelled_radio_group_per_kind(client_of, request, who):
    person = request.getfixturevalue(who)
    body = client_of(person).get(URL).content.decode()
    legends = re.findall(r"<legend[^>]*>\s*([^<]+?)\s*<", body)
    assert legends == [kind.label for section in SECTIONS for kind in section[1]]
    for kind in Notification.Kind:
        assert f'name="{kind.value}" value="digest"' in body
    assert body.count("<fieldset") == len(KINDS)
    assert "Recommendations and decisions" in body and "Meetings" in body


def test_the_page_shows_what_is_in_force_with_no_row_meaning_straight_away(client_of, bob):
    prefer(bob, "outcome_known", Delivery.PORTAL)
    form = client_of(bob).get(URL).context["form"]
    assert form["outcome_known"].initial == Delivery.PORTAL
    assert form["decision_recorded"].initial == Delivery.IMMEDIATE


def test_a_member_saves_their_choices_and_is_told(client_of, bob):
    response = client_of(bob).post(
        URL, choices(decision_recorded="digest", outcome_known="portal"), follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    assert saved(bob) == {"decision_recorded": "digest", "outcome_known": "portal"}


def test_saving_changes_only_my_own_settings(client_of, bob, alice):
    prefer(alice, "outcome_known", Delivery.DIGEST)
    client_of(bob).post(URL, choices(outcome_known="portal"))
    assert saved(alice) == {"outcome_known": "digest"}
    assert saved(bob) == {"outcome_known": "portal"}


def test_saving_again_updates_the_row_rather_than_adding_one(client_of, bob):
    client = client_of(bob)
    client.post(URL, choices(outcome_known="portal"))
    client.post(URL, choices(outcome_known="digest"))
    assert NotificationPreference.objects.filter(recipient=bob).count() == 1
    assert saved(bob) == {"outcome_known": "digest"}


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")
    response = client.post(URL, choices())
    assert response["Location"].startswith("/sign-in/")
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome_known": "by-carrier-pigeon"}, "Select a valid choice"),
        ({"outcome_known": ""}, "Choose how you want to hear of these."),
    ],
)
def test_bad_input_is_a_form_error_in_the_page(client_of, bob, data, message):
    response = client_of(bob).post(URL, choices(**data))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with your choices" in body
    assert message in body
    assert 'href="#id_outcome_known_0"' in body  # the summary leads to the group
    assert not NotificationPreference.objects.exists()


def test_a_missing_kind_is_an_error_not_a_crash(client_of, bob):
    data = choices()
    del data["referral_sent"]
    response = client_of(bob).post(URL, data)
    assert response.status_code == 200
    assert "Choose how you want to hear of these." in response.content.decode()


@pytest.mark.parametrize(
    "kind", ["referral_sent", "decision_due", "decision_overdue", "decision_on_behalf"]
)
def test_an_executive_cannot_choose_portal_only_for_their_bodys_referrals(client_of, erin, kind):
    response = client_of(erin).post(URL, choices(**{kind: "portal"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "you cannot turn these emails off" in body
    assert not NotificationPreference.objects.filter(recipient=erin).exists()


def test_an_executive_may_have_referrals_in_the_digest_and_silence_other_kinds(client_of, erin):
    response = client_of(erin).post(
        URL, choices(referral_sent="digest", decision_due="digest", outcome_known="portal")
    )
    assert response.status_code == 302
    assert saved(erin) == {
        "referral_sent": "digest",
        "decision_due": "digest",
        "outcome_known": "portal",
    }


def test_the_executive_is_told_why_on_the_page(client_of, erin, bob):
    assert "always reach you by email" in client_of(erin).get(URL).content.decode()
    assert "always reach you by email" not in client_of(bob).get(URL).content.decode()


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_a_person_without_executive_authority_may_choose_portal_only_for_referrals(
    client_of, request, who
):
    person = request.getfixturevalue(who)
    response = client_of(person).post(URL, choices(referral_sent="portal", decision_due="portal"))
    assert response.status_code == 302
    assert saved(person) == {"referral_sent": "portal", "decision_due": "portal"}


def test_the_service_refuses_what_the_form_refuses(erin):
    with pytest.raises(PreferenceNotAllowed):
        notification_preferences_set(person=erin, deliveries={"referral_sent": "portal"})
    assert not NotificationPreference.objects.exists()


def test_an_ended_authority_no_longer_binds(fire, bob):
    from datetime import date

    AuthorityFactory(
        person=bob, organisation=fire, starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1)
    )
    notification_preferences_set(person=bob, deliveries={"referral_sent": "portal"})
    assert saved(bob) == {"referral_sent": "portal"}


def test_a_stale_portal_only_choice_of_a_new_executive_is_shown_as_the_digest(erin):
    prefer(erin, "referral_sent", Delivery.PORTAL)  # chosen before the authority was granted
    assert notification_preferences_of(erin)["referral_sent"] == Delivery.DIGEST


def test_the_page_queries_do_not_grow_with_choices_or_notices(
    client_of, erin, django_assert_max_num_queries
):
    client = client_of(erin)
    client.get(URL)
    with django_assert_max_num_queries(12) as small:
        client.get(URL)
    few = len(small.captured_queries)  # read now: the next request empties the query log
    for n, kind in enumerate(["decision_recorded", "outcome_known", "reply_owed", "action_due"]):
        prefer(erin, kind, Delivery.DIGEST)
        for m in range(10):
            Notification.objects.create(
                recipient=erin, kind=kind, event_key=f"q:{n}:{m}", subject="s", link="/"
            )
    client.get(URL)  # the header's unread count, counted again once after new notices
    with django_assert_max_num_queries(few) as large:
        response = client.get(URL)
    assert response.context["form"]["outcome_known"].initial == Delivery.DIGEST
    assert len(large.captured_queries) == few
    with django_assert_max_num_queries(few + 8):
        client.post(URL, choices(outcome_known="portal"))

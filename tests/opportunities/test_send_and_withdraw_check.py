"""Sending a recommendation and withdrawing an opportunity are checked first (GOV.UK's "Check
your answers"): nothing changes until the check page's own button is pressed."""

import pytest
from django.core import mail
from django.urls import reverse

from core.check_answers import CONFIRM_FIELD
from opportunities.models import Referral, Status
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db


def send_url(recommendation):
    return reverse("recommendation_send", kwargs={"pk": recommendation.pk})


def transition_url(opportunity):
    return reverse("opportunity_transition", kwargs={"pk": opportunity.pk})


def status_of(opportunity):
    opportunity.refresh_from_db()
    return opportunity.status


def test_the_send_button_shows_the_recommendation_and_its_bodies_first(
    client_of, alice, assessed, record, police, fire
):
    recommendation = record(assessed, [police, fire])
    response = client_of(alice).post(send_url(recommendation))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Check recommendation v{recommendation.version} before it is sent" in page
    assert recommendation.wording in page
    assert "Fire and Rescue Authority" in page
    assert 'name="confirm" value="yes"' in page
    assert not Referral.objects.filter(sent_at__isnull=False).exists()
    assert mail.outbox == []
    assert status_of(assessed) == Status.RECOMMENDED


def test_confirming_sends_it(client_of, alice, assessed, record, police):
    recommendation = record(assessed, [police])
    response = client_of(alice).post(send_url(recommendation), {CONFIRM_FIELD: "yes"})
    assert response.status_code == 302
    assert referral_for(recommendation, police).sent_at is not None


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 404)])
def test_others_may_neither_check_nor_send(
    client_of, request, assessed, record, police, person, status
):
    recommendation = record(assessed, [police])
    client = client_of(request.getfixturevalue(person))
    assert client.post(send_url(recommendation)).status_code == status
    assert client.post(send_url(recommendation), {CONFIRM_FIELD: "yes"}).status_code == status
    assert not Referral.objects.filter(sent_at__isnull=False).exists()


def test_withdrawing_shows_the_reason_and_the_referrals_it_closes_first(client_of, alice, referred):
    opportunity = referred.opportunity
    client = client_of(alice)
    sent = client.post(transition_url(opportunity), {"to": "withdrawn", "reason": "Merged."})
    assert sent.status_code == 302 and sent["Location"] == transition_url(opportunity) + "?check"
    assert status_of(opportunity) == Status.AWAITING_DECISIONS
    page = client.get(sent["Location"]).content.decode()
    assert f"Check before you withdraw {opportunity.reference}" in page
    assert "Merged." in page
    assert "3 referrals awaiting a decision will be closed" in page
    change = f'href="{opportunity.get_absolute_url()}?change#id_reason"'
    assert change in page
    # "Change" opens the opportunity's status form with the reason as it was typed.
    detail = client.get(opportunity.get_absolute_url() + "?change").content.decode()
    assert 'value="Merged."' in detail


def test_confirming_withdraws_with_the_kept_reason(client_of, alice, referred):
    opportunity = referred.opportunity
    client = client_of(alice)
    client.post(transition_url(opportunity), {"to": "withdrawn", "reason": "Merged."})
    response = client.post(transition_url(opportunity), {CONFIRM_FIELD: "yes", "reason": "x"})
    assert response.status_code == 302
    assert status_of(opportunity) == Status.WITHDRAWN
    referrals = Referral.objects.filter(recommendation__opportunity=opportunity)
    assert not referrals.filter(status=Referral.Status.PENDING).exists()
    assert set(referrals.values_list("closed_reason", flat=True)) == {"Merged."}


def test_a_confirmation_without_kept_answers_withdraws_nothing(client_of, alice, referred):
    opportunity = referred.opportunity
    response = client_of(alice).post(
        transition_url(opportunity), {CONFIRM_FIELD: "yes"}, follow=True
    )
    assert "Your answers were not kept" in response.content.decode()
    assert status_of(opportunity) == Status.AWAITING_DECISIONS


def test_other_moves_are_made_at_once(client_of, alice, referred):
    opportunity = referred.opportunity
    client_of(alice).post(transition_url(opportunity), {"to": "on_hold", "reason": "Survey"})
    assert status_of(opportunity) == Status.ON_HOLD


# Erin, Fire's executive, sees the opportunity her body was referred but may not change it.
@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 403)])
def test_others_may_neither_check_nor_confirm_a_withdrawal(
    client_of, request, alice, referred, person, status
):
    opportunity = referred.opportunity
    client_of(alice).post(transition_url(opportunity), {"to": "withdrawn", "reason": "Merged."})
    client = client_of(request.getfixturevalue(person))
    assert client.get(transition_url(opportunity) + "?check").status_code == status
    assert client.post(transition_url(opportunity), {CONFIRM_FIELD: "yes"}).status_code == status
    assert status_of(opportunity) == Status.AWAITING_DECISIONS

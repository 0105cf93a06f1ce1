"""Recording a body's decision through the API: the executive's own body only, the web form's
checks and messages, the same record, audit event and notifications as the form, and a
sentence (409 or 400) for a stale, closed or badly filled decision."""

import json

import pytest
from django.test import Client

from audit.models import AuditEvent
from notifications.models import Notification
from opportunities.models import Opportunity, Referral, Status


def _referral(recommendation, body) -> Referral:
    return Referral.objects.get(recommendation=recommendation, organisation=body)


def _post(referral, headers, **fields):
    data = {"outcome": "approved", "reference": "FRA/2026/14", "revision": referral.revision}
    data.update(fields)
    return Client().post(
        f"/api/referrals/{referral.pk}/decision",
        json.dumps(data),
        content_type="application/json",
        **headers,
    )


def test_the_executive_records_their_bodys_decision(referred, fire, erin, alice, token_of):
    referral = _referral(referred, fire)
    response = _post(
        referral,
        token_of(erin),
        outcome="approved_with_conditions",
        notes="Subject to the lease.",
        decision_forum="Fire and Rescue Authority",
        decision_taken_on="2026-11-30",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "approved_with_conditions"
    assert body["decision_reference"] == "FRA/2026/14"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED_WITH_CONDITIONS
    assert referral.decided_by == erin and referral.recorded_by == erin
    assert str(referral.decision_taken_on) == "2026-11-30"
    assert referral.decision_forum == "Fire and Rescue Authority"
    # The same audit event and notifications as the web form.
    event = AuditEvent.objects.filter(verb="decision").get()
    assert event.actor_id == erin.pk and "FRA/2026/14" in event.summary
    told = Notification.objects.filter(kind=Notification.Kind.DECISION_RECORDED)
    assert alice.pk in set(told.values_list("recipient_id", flat=True))


def test_the_last_approval_moves_the_opportunity_on(
    referred, police, fire, council, pat, erin, cara, token_of
):
    for body, person in ((police, pat), (fire, erin), (council, cara)):
        assert _post(_referral(referred, body), token_of(person)).status_code == 200
    assert Opportunity.objects.get(pk=referred.opportunity_id).status == Status.APPROVED


def test_an_executive_of_another_body_cannot_decide(referred, fire, pat, token_of):
    response = _post(_referral(referred, fire), token_of(pat))
    assert response.status_code == 404
    assert "a body you decide for" in response.json()["detail"]
    assert _referral(referred, fire).status == Referral.Status.PENDING


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "charlie"])
def test_nobody_without_authority_decides(referred, fire, token_of, request, who):
    response = _post(_referral(referred, fire), token_of(request.getfixturevalue(who)))
    assert response.status_code == 404
    assert _referral(referred, fire).status == Referral.Status.PENDING


def test_without_a_token_nothing_is_recorded(referred, fire):
    response = _post(_referral(referred, fire), {})
    assert response.status_code == 401
    assert _referral(referred, fire).status == Referral.Status.PENDING


def test_a_stale_revision_is_refused_with_409(referred, fire, erin, token_of):
    referral = _referral(referred, fire)
    response = _post(referral, token_of(erin), revision=referral.revision + 5)
    assert response.status_code == 409
    assert response.json()["detail"]
    assert _referral(referred, fire).status == Referral.Status.PENDING


def test_a_decided_referral_is_refused_with_409(referred, fire, erin, token_of):
    referral = _referral(referred, fire)
    headers = token_of(erin)
    assert _post(referral, headers).status_code == 200
    again = _post(referral, headers, outcome="declined")
    assert again.status_code == 409
    assert "already decided by Erin Evans" in again.json()["detail"]
    assert _referral(referred, fire).status == Referral.Status.APPROVED


def test_a_closed_referral_is_refused_with_its_reason(referred, fire, erin, token_of):
    referral = _referral(referred, fire)
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.WITHDRAWN, closed_reason="The opportunity was withdrawn"
    )
    response = _post(_referral(referred, fire), token_of(erin))
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"outcome": "deferred"}, "Say what more information is needed."),
        ({"outcome": "approved_with_conditions"}, "Set out the conditions."),
        ({"outcome": "maybe"}, "Decision:"),
        ({"reference": ""}, "Decision reference:"),
        ({"decision_taken_on": "2099-01-01"}, "cannot be in the future"),
        ({"decision_taken_on": "2999-01-01"}, "Enter a date between 2000 and 2100"),
    ],
)
def test_bad_input_is_a_400_with_the_forms_sentence(
    referred, fire, erin, token_of, fields, sentence
):
    response = _post(_referral(referred, fire), token_of(erin), **fields)
    assert response.status_code == 400
    assert sentence in response.json()["detail"]
    assert _referral(referred, fire).status == Referral.Status.PENDING


def test_a_malformed_body_is_a_400_not_a_500(referred, fire, erin, token_of):
    referral = _referral(referred, fire)
    response = Client().post(
        f"/api/referrals/{referral.pk}/decision",
        "{not json",
        content_type="application/json",
        **token_of(erin),
    )
    assert response.status_code == 400
    missing = _post(referral, token_of(erin), revision="many")
    assert missing.status_code == 400 and "revision" in missing.json()["detail"]

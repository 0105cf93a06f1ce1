"""Stopping the daily digest from its e-mail: a signed link, no sign-in, one-click capable."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.digest import unsubscribe_token
from notifications.models import Delivery, Notification
from notifications.tasks import send_daily_digests

from .helpers import notify, prefer

pytestmark = pytest.mark.django_db


def url_for(token: str) -> str:
    return reverse("digest_unsubscribe", kwargs={"token": token})


def saved(person) -> dict[str, str]:
    return dict(person.notification_preferences.values_list("kind", "delivery"))


@pytest.fixture
def bob_digest(bob):
    prefer(bob, "decision_recorded", Delivery.DIGEST)
    prefer(bob, "outcome_known", Delivery.DIGEST)
    prefer(bob, "reply_owed", Delivery.IMMEDIATE)
    return bob


def test_the_link_asks_to_confirm_without_signing_in_and_changes_nothing(client, bob_digest):
    response = client.get(url_for(unsubscribe_token(bob_digest)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop the daily digest?" in body and "Bob Baker" in body
    assert '<form method="post">' in body
    assert saved(bob_digest)["decision_recorded"] == "digest"


def test_confirming_moves_the_digest_kinds_to_the_centre_only(client, bob_digest, board):
    notify([bob_digest], 1, board=board)  # waiting for tomorrow's digest
    response = client.post(url_for(unsubscribe_token(bob_digest)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Daily digest stopped" in body
    assert "Decision recorded" in body and "Outcome of a recommendation" in body
    assert saved(bob_digest) == {
        "decision_recorded": "portal",
        "outcome_known": "portal",
        "reply_owed": "immediate",
    }
    assert Notification.objects.get().status == "portal_only"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert send_daily_digests() == 0
    assert mail.outbox == []


def test_a_mail_programs_one_click_post_needs_no_csrf_token_or_session(bob_digest):
    one_click = Client(enforce_csrf_checks=True)
    response = one_click.post(
        url_for(unsubscribe_token(bob_digest)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert saved(bob_digest)["decision_recorded"] == "portal"


def test_other_forms_still_need_their_csrf_token(bob):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    response = strict.post(reverse("notification_preferences"), {"outcome_known": "portal"})
    assert response.status_code == 403
    assert not bob.notification_preferences.exists()


def test_an_executives_referral_notices_become_immediate_and_the_page_says_so(
    client, erin, board, django_capture_on_commit_callbacks
):
    prefer(erin, "referral_sent", Delivery.DIGEST)
    prefer(erin, "decision_overdue", Delivery.DIGEST)
    prefer(erin, "outcome_known", Delivery.DIGEST)
    notify([erin], 1, board=board, kind="referral_sent")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_for(unsubscribe_token(erin)))
    body = response.content.decode()
    assert "cannot be turned off" in body and "emailed to you straight away" in body
    assert saved(erin) == {
        "referral_sent": "immediate",
        "decision_overdue": "immediate",
        "outcome_known": "portal",
    }
    # The referral that was waiting for the digest goes out now instead.
    assert [m.to for m in mail.outbox] == [["erin@fire.example"]]
    assert Notification.objects.get().status == "sent"


def test_posting_again_is_harmless(client, bob_digest):
    url = url_for(unsubscribe_token(bob_digest))
    client.post(url)
    response = client.post(url)
    assert response.status_code == 200
    assert "nothing has changed" in response.content.decode()
    assert saved(bob_digest)["decision_recorded"] == "portal"


def _tampered(token: str) -> str:
    value, rest = token.split(":", 1)
    return "Mg" + ":" + rest if value != "Mg" else "Mw:" + rest


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_with_a_sentence(client, bob_digest, method):
    token = unsubscribe_token(bob_digest)
    for bad in (_tampered(token), token[:-3], "sample", signing.dumps(bob_digest.pk)):
        response = getattr(client, method)(url_for(bad))
        assert response.status_code == 400
        assert "not complete or has been changed" in response.content.decode()
    assert saved(bob_digest)["decision_recorded"] == "digest"


def test_an_expired_link_is_refused_with_a_sentence(client, bob_digest):
    token = unsubscribe_token(bob_digest)
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = client.post(url_for(token))
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert saved(bob_digest)["decision_recorded"] == "digest"


def test_a_link_for_someone_who_can_no_longer_sign_in_is_refused(client, bob_digest):
    token = unsubscribe_token(bob_digest)
    bob_digest.is_active = False
    bob_digest.save()
    response = client.get(url_for(token))
    assert response.status_code == 400
    assert "does not belong to anyone" in response.content.decode()


def test_the_link_only_ever_changes_its_own_persons_settings(client, bob_digest, alice):
    prefer(alice, "decision_recorded", Delivery.DIGEST)
    client.post(url_for(unsubscribe_token(bob_digest)))
    assert saved(alice) == {"decision_recorded": "digest"}

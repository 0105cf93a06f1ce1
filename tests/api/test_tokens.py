"""Personal API tokens: made on their page and shown once, kept only as a digest, listed on
"your sessions", revocable, expiring, and refused (401, with a sentence) once revoked, expired,
or when their person's account or role ends."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from boards.models import ApiToken, BoardMembership, User
from boards.services import api_token_create, api_token_revoke

REGISTER = "/api/register"


def _make_on_the_page(client, name="Fire case system", lasts="90"):
    return client.post(reverse("api_tokens"), {"name": name, "lasts": lasts})


def test_a_token_is_shown_once_and_kept_only_as_its_digest(client_of, bob):
    client = client_of(bob)
    response = _make_on_the_page(client)
    assert response.status_code == 200
    record = ApiToken.objects.get(person=bob)
    token = response.context["made"]["token"]
    assert token.startswith("blc_") and token in response.content.decode()
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {record.key, record.digest, record.name}
    assert record.expires_at.date() == (timezone.now() + timedelta(days=90)).date()
    # Shown once: the page opened again shows its start, never the token.
    again = client.get(reverse("api_tokens")).content.decode()
    assert token not in again and record.shown_prefix in again


def test_making_and_revoking_a_token_is_audited(client_of, bob):
    client = client_of(bob)
    _make_on_the_page(client)
    record = ApiToken.objects.get(person=bob)
    client.post(reverse("api_token_revoke", args=[record.pk]), {"back": "sessions"})
    verbs = list(AuditEvent.objects.filter(actor=bob).values_list("verb", flat=True))
    assert "api_token.created" in verbs and "api_token.revoked" in verbs
    record.refresh_from_db()
    assert record.revoked_at is not None


def test_a_token_longer_than_a_year_is_refused_with_a_sentence(client_of, bob):
    response = _make_on_the_page(client_of(bob), lasts="3650")
    assert response.status_code == 200
    assert "a token lasts at most a year" in response.content.decode()
    assert not ApiToken.objects.filter(person=bob).exists()


def test_a_token_without_a_name_is_refused(client_of, bob):
    response = _make_on_the_page(client_of(bob), name="")
    assert "Name the token: say what it is for." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_are_listed_on_your_sessions_page_and_revoked_from_it(client_of, bob):
    record, _ = api_token_create(person=bob, name="Nightly export", lasts=timedelta(days=30))
    client = client_of(bob)
    page = client.get(reverse("session_list")).content.decode()
    assert "Nightly export" in page and record.shown_prefix in page
    response = client.post(reverse("api_token_revoke", args=[record.pk]), {"back": "sessions"})
    assert response.url == reverse("session_list")
    assert "Revoked" in client.get(reverse("session_list")).content.decode()


def test_nobody_revokes_another_persons_token(client_of, bob, frank):
    record, _ = api_token_create(person=bob, name="Mine", lasts=timedelta(days=30))
    response = client_of(frank).post(reverse("api_token_revoke", args=[record.pk]))
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.revoked_at is None


def test_the_tokens_page_needs_signing_in(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_token_works_and_records_when_it_was_last_used(client, bob):
    record, token = api_token_create(person=bob, name="Mine", lasts=timedelta(days=30))
    response = client.get(REGISTER, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.last_used_at is not None


def _refusal(client, token):
    response = client.get(REGISTER, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    return response.json()["detail"]


def test_no_token_is_a_401_saying_how_to_get_one(client, bob):
    response = client.get(REGISTER)
    assert response.status_code == 401
    assert "API tokens page" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_or_altered_token_is_refused(client, bob):
    _, token = api_token_create(person=bob, name="Mine", lasts=timedelta(days=30))
    assert "not known" in _refusal(client, token[:-2] + "xx")
    assert "not known" in _refusal(client, "blc_nothing_here")
    assert "not known" in _refusal(client, "garbage")


def test_a_revoked_token_is_refused(client, bob):
    record, token = api_token_create(person=bob, name="Old script", lasts=timedelta(days=30))
    api_token_revoke(record=record, actor=bob)
    assert "(“Old script”) was revoked on" in _refusal(client, token)


def test_an_expired_token_is_refused(client, bob):
    _, token = api_token_create(person=bob, name="Short", lasts=timedelta(days=30))
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "expired" in _refusal(client, token)


def test_a_token_stops_when_the_account_is_switched_off(client, bob):
    _, token = api_token_create(person=bob, name="Mine", lasts=timedelta(days=30))
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert "switched off" in _refusal(client, token)


def test_a_token_stops_when_the_persons_membership_ends(client, bob):
    _, token = api_token_create(person=bob, name="Mine", lasts=timedelta(days=30))
    today = timezone.localdate()
    BoardMembership.objects.filter(person=bob).update(
        starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=1)
    )
    assert "no longer holds a role" in _refusal(client, token)


@pytest.mark.parametrize("days", [0, 367])
def test_the_service_refuses_a_lifetime_out_of_bounds(bob, days):
    from core.exceptions import Refused

    with pytest.raises(Refused):
        api_token_create(person=bob, name="Mine", lasts=timedelta(days=days))

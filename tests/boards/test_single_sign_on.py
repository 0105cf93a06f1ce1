"""Signing in through a body's own identity provider, against a real OpenID Connect provider
(django-oidc-provider, tests/oidc_provider) running in a second process: the portal's sign-in
starts there, the person signs in on the provider's form and consents, and the provider sends
them back to the portal's callback, which exchanges the code over the network."""

import time

import jwt
import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from audit.models import AuditEvent
from boards import sign_on as sign_on_module
from boards.models import OrganisationSignOn, SignedInSession, User
from boards.two_factor import VERIFIED_AT
from tests.factories import UserFactory
from tests.oidc_provider.harness import Provider, ProviderBrowser, free_port

pytestmark = pytest.mark.django_db

CLIENT_ID = "blue-light-portal"
CLIENT_SECRET = "client-secret-of-the-portal-at-the-police-provider"
CALLBACK = "http://testserver/sign-in/organisation/callback/"
PROVIDER_PASSWORD = "correct horse at the provider"

# The people the police's provider knows; groups: "mfa" signs in with a second factor,
# "unverified" has no verified e-mail address.
PROVIDER_PEOPLE = [
    {"email": "alice@police.example", "groups": ["mfa"]},
    {"email": "owen@police.example", "groups": []},
    {"email": "pat@police.example", "groups": []},
    {"email": "dave@police.example", "groups": ["mfa"]},
    {"email": "newcomer@police.example", "groups": ["mfa"]},
    {"email": "una@police.example", "groups": ["unverified"]},
    {"email": "fiona@police.example", "groups": []},
    {"email": "bob@fire.example", "groups": []},
    {"email": "erica@police.example", "groups": ["domain_verified"]},
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    people = [{**person, "password": PROVIDER_PASSWORD} for person in PROVIDER_PEOPLE]
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [CALLBACK]}
    ]
    running = Provider(tmp_path_factory.mktemp("provider"), clients=clients, people=people)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def police_sign_on(provider, police, settings):
    # The test provider listens on 127.0.0.1: the portal fetches its documents through
    # core.outbound, which reaches a loopback address only when the settings allow it.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    sign_on = OrganisationSignOn(
        organisation=police,
        enabled=True,
        provider_name="your Warwickshire Police account",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        email_domains="police.example",
        accepts_provider_mfa=True,
    )
    sign_on.set_client_secret(CLIENT_SECRET)
    sign_on.save()
    return sign_on


def callback_from_provider(client, provider, sign_on, email, *, next_url=None, query=None):
    """The address the provider sends the browser back to, after the person signed in there."""
    params = {"next": next_url} if next_url else {}
    start = client.get(reverse("sign_on_start", args=[sign_on.pk]), {**params, **(query or {})})
    assert start.status_code == 302, start.content.decode()
    assert start["Location"].startswith(provider.issuer)
    return ProviderBrowser(provider).sign_in(
        start["Location"], email=email, password=PROVIDER_PASSWORD
    )


def sign_in_through(client, provider, sign_on, email, **kwargs):
    return client.get(callback_from_provider(client, provider, sign_on, email, **kwargs))


def signed_in_as(client):
    return client.get(reverse("session_keep_alive")).status_code == 200 and User.objects.get(
        pk=client.session["_auth_user_id"]
    )


def last_event(verb):
    return AuditEvent.objects.filter(verb=verb).order_by("-pk").first()


# --- success -------------------------------------------------------------------------------------


def test_the_sign_in_page_offers_each_enabled_organisation_sign_in(client, police_sign_on, fire):
    OrganisationSignOn.objects.create(
        organisation=fire,
        enabled=False,
        provider_name="your Fire account",
        issuer="https://fire.example/idp",
        client_id="x",
        email_domains="fire.example",
    )
    body = client.get(reverse("login"), {"next": "/boards/warwickshire/"}).content.decode()
    start = reverse("sign_on_start", args=[police_sign_on.pk])
    assert "Sign in with your Warwickshire Police account" in body
    assert f'href="{start}?next=/boards/warwickshire/"' in body
    assert "your Fire account" not in body


def test_an_invited_person_signs_in_through_their_organisations_provider(
    client, provider, police_sign_on, owen
):
    response = sign_in_through(
        client, provider, police_sign_on, "owen@police.example", next_url="/boards/warwickshire/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/boards/warwickshire/"
    assert signed_in_as(client) == owen
    assert client.get("/boards/warwickshire/").status_code == 200
    assert SignedInSession.objects.filter(person=owen).count() == 1
    event = last_event("sign_in.succeeded")
    assert event.actor_id == owen.pk
    assert event.summary == "Owen Oakes signed in with Warwickshire Police's single sign-on"
    assert event.username == "owen@police.example"


def test_a_domain_verified_address_without_email_verified_is_accepted_as_entra_id_sends_it(
    client, provider, police_sign_on
):
    person = UserFactory(email="erica@police.example", organisation=police_sign_on.organisation)
    response = sign_in_through(client, provider, police_sign_on, "erica@police.example")
    assert response.status_code == 302
    assert signed_in_as(client) == person


def test_a_next_address_on_another_site_is_not_followed(client, provider, police_sign_on, owen):
    response = sign_in_through(
        client, provider, police_sign_on, "owen@police.example", next_url="https://evil.example/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_takes_up_a_pending_invitation(client, provider, police_sign_on, board, alice):
    from boards.models import PersonInvitation
    from boards.services import person_invite

    invitation = person_invite(
        invited_by=alice,
        board=board,
        email="erica@police.example",
        full_name="Erica Eden",
        job_title="Inspector",
        organisation=police_sign_on.organisation,
        role="member",
    )
    sign_in_through(client, provider, police_sign_on, "erica@police.example")
    assert signed_in_as(client) == invitation.person
    assert not PersonInvitation.objects.pending().filter(person=invitation.person).exists()
    assert PersonInvitation.find_usable(invitation.link_token()) is None
    assert last_event("person.invitation_accepted").summary == (
        "Erica Eden accepted their invitation by signing in with Warwickshire Police's single "
        "sign-on"
    )


# --- refused -------------------------------------------------------------------------------------


def test_an_address_the_portal_does_not_know_is_refused_and_nobody_is_created(
    client, provider, police_sign_on, owen
):
    people_before = User.objects.count()
    response = sign_in_through(client, provider, police_sign_on, "newcomer@police.example")
    body = response.content.decode()
    assert response.status_code == 403
    assert "The portal has no account for newcomer@police.example" in body
    assert "ask the board's secretariat to invite you" in body
    assert User.objects.count() == people_before
    assert "_auth_user_id" not in client.session
    event = last_event("sign_in.failed")
    assert event.username == "newcomer@police.example"
    assert event.after["reason"] == "unknown_person"
    assert AccessAttempt.objects.filter(username="newcomer@police.example").exists()


def test_an_address_the_provider_has_not_verified_is_refused(client, provider, police_sign_on):
    UserFactory(email="una@police.example", organisation=police_sign_on.organisation)
    response = sign_in_through(client, provider, police_sign_on, "una@police.example")
    assert response.status_code == 403
    assert "did not confirm that your email address una@police.example is verified" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert last_event("sign_in.failed").after["reason"] == "unverified_email"


def test_an_address_outside_the_organisations_domains_is_refused(
    client, provider, police_sign_on, bob
):
    response = sign_in_through(client, provider, police_sign_on, "bob@fire.example")
    assert response.status_code == 403
    assert "bob@fire.example is not one of Warwickshire Police's addresses" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_person_of_another_organisation_is_refused_even_with_an_address_in_the_domain(
    client, provider, police_sign_on, fire
):
    UserFactory(email="fiona@police.example", organisation=fire)
    response = sign_in_through(client, provider, police_sign_on, "fiona@police.example")
    assert response.status_code == 403
    assert "The portal has no account for fiona@police.example at Warwickshire Police" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_switched_off_person_is_refused(client, provider, police_sign_on, dave):
    User.objects.filter(pk=dave.pk).update(is_active=False)
    response = sign_in_through(client, provider, police_sign_on, "dave@police.example")
    assert response.status_code == 403
    assert "Your account on the portal (dave@police.example) is switched off" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert last_event("sign_in.failed").after["reason"] == "inactive"


def test_a_person_switched_off_after_signing_in_is_signed_out(
    client, provider, police_sign_on, owen
):
    sign_in_through(client, provider, police_sign_on, "owen@police.example")
    User.objects.filter(pk=owen.pk).update(is_active=False)
    response = client.get("/boards/warwickshire/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_locked_out_account_cannot_sign_in_through_the_provider_either(
    client, provider, police_sign_on, owen
):
    for _ in range(5):
        client.post(reverse("login"), {"username": "owen@police.example", "password": "wrong"})
    response = sign_in_through(client, provider, police_sign_on, "owen@police.example")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_tampered_state_is_refused_with_a_clear_page(client, provider, police_sign_on, owen):
    callback = callback_from_provider(client, provider, police_sign_on, "owen@police.example")
    tampered = callback.replace("state=", "state=x")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This sign-in link has already been used, has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert last_event("sign_in.failed").after["reason"] == "state"


def test_a_replayed_callback_is_refused(client, provider, police_sign_on, owen):
    callback = callback_from_provider(client, provider, police_sign_on, "owen@police.example")
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_callback_begun_in_another_browser_is_refused(client, provider, police_sign_on, owen):
    from django.test import Client

    callback = callback_from_provider(client, provider, police_sign_on, "owen@police.example")
    other_browser = Client()
    assert other_browser.get(callback).status_code == 400
    assert "_auth_user_id" not in other_browser.session


def test_a_callback_without_state_or_code_is_refused(client, police_sign_on):
    assert client.get(reverse("sign_on_callback")).status_code == 400
    assert client.get(reverse("sign_on_callback"), {"state": "x", "code": "y"}).status_code == 400


def test_declining_at_the_provider_is_refused_with_a_clear_page(
    client, provider, police_sign_on, owen
):
    start = client.get(reverse("sign_on_start", args=[police_sign_on.pk]))
    callback = ProviderBrowser(provider).sign_in(
        start["Location"], email="owen@police.example", password=PROVIDER_PASSWORD, allow=False
    )
    response = client.get(callback)
    assert response.status_code == 403
    assert "it was cancelled or refused there" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_provider_that_does_not_answer_gets_a_clear_page(client, police_sign_on):
    police_sign_on.issuer = f"http://127.0.0.1:{free_port()}/openid"
    police_sign_on.save()
    response = client.get(reverse("sign_on_start", args=[police_sign_on.pk]))
    assert response.status_code == 502
    assert "Your organisation's sign-in is not answering" in response.content.decode()


def test_a_provider_inside_the_private_network_is_not_asked_for_its_discovery_document(
    client, provider, police_sign_on, settings
):
    # As with a body's webhook or calendar, the provider's documents come only from addresses
    # on the public internet (core.outbound), whatever issuer is entered: 127.0.0.1 is not one.
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    response = client.get(reverse("sign_on_start", args=[police_sign_on.pk]))
    assert response.status_code == 502
    assert "Your organisation's sign-in is not answering" in response.content.decode()
    with pytest.raises(sign_on_module.ProviderUnavailable, match="private network"):
        sign_on_module.provider_configuration(police_sign_on)


def test_a_provider_inside_the_private_network_is_not_asked_for_its_signing_keys(
    provider, police_sign_on, settings
):
    jwks_uri = sign_on_module.provider_configuration(police_sign_on)["jwks_uri"]
    assert sign_on_module._signing_keys(jwks_uri, fresh=True)  # allowed, as in the tests
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    with pytest.raises(sign_on_module.ProviderUnavailable, match="private network"):
        sign_on_module._signing_keys(jwks_uri, fresh=True)


def test_a_provider_that_stops_answering_before_the_callback_gets_a_clear_page(
    client, provider, police_sign_on, owen, tmp_path, settings
):
    callback = callback_from_provider(client, provider, police_sign_on, "owen@police.example")
    settings.OIDC_TIMEOUT = 2
    config = sign_on_module.provider_configuration(police_sign_on)
    dead = f"http://127.0.0.1:{free_port()}/openid/token"
    from django.core.cache import cache

    cache.set(
        sign_on_module._cache_key("discovery", police_sign_on.discovery_url),
        {**config, "token_endpoint": dead},
    )
    response = client.get(callback)
    assert response.status_code == 502
    assert "did not answer" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_sign_in_switched_off_while_the_person_was_at_the_provider_is_not_finished(
    client, provider, police_sign_on, owen
):
    callback = callback_from_provider(client, provider, police_sign_on, "owen@police.example")
    OrganisationSignOn.objects.filter(pk=police_sign_on.pk).update(enabled=False)
    assert client.get(callback).status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_no_organisation_sign_in_when_none_is_enabled(client, police):
    body = client.get(reverse("login")).content.decode()
    assert "Sign in with your organisation's account" not in body


def test_a_disabled_sign_in_cannot_be_started(client, police_sign_on):
    OrganisationSignOn.objects.filter(pk=police_sign_on.pk).update(enabled=False)
    assert client.get(reverse("sign_on_start", args=[police_sign_on.pk])).status_code == 404


# --- the id_token itself -------------------------------------------------------------------------


def _backend_for(sign_on):
    backend = sign_on_module.OrganisationSignOnBackend()
    backend.configure(sign_on)
    return backend


def _claims(provider, **changes):
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "1",
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        **changes,
    }


def test_an_id_token_signed_with_another_key_is_refused(provider, police_sign_on):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(provider), stranger, algorithm="RS256", headers={"kid": "x"})
    with pytest.raises(sign_on_module.SignOnRefused):
        _backend_for(police_sign_on).verify_token(token, nonce="the-nonce")


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_an_id_token_not_signed_with_the_providers_key_pair_is_refused(
    provider, police_sign_on, algorithm
):
    key = CLIENT_SECRET if algorithm == "HS256" else None
    token = jwt.encode(_claims(provider), key, algorithm=algorithm)
    with pytest.raises(sign_on_module.SignOnRefused):
        _backend_for(police_sign_on).verify_token(token, nonce="the-nonce")


def _signed_by_the_provider(provider, claims):
    pem, kid = provider.signing_key()
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})


def test_an_id_token_signed_by_the_provider_is_accepted_when_everything_holds(
    provider, police_sign_on
):
    token = _signed_by_the_provider(provider, _claims(provider))
    claims = _backend_for(police_sign_on).verify_token(token, nonce="the-nonce")
    assert claims["sub"] == "1"


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "another-nonce"},
        {"aud": "another-client"},
        {"iss": "https://another-provider.example"},
        {"exp": int(time.time()) - 3600},
        {"aud": [CLIENT_ID, "another-client"]},
    ],
    ids=["nonce", "audience", "issuer", "expired", "shared-audience-without-azp"],
)
def test_an_id_token_from_the_provider_is_refused_unless_everything_holds(
    provider, police_sign_on, changes
):
    token = _signed_by_the_provider(provider, _claims(provider, **changes))
    with pytest.raises(sign_on_module.SignOnRefused):
        _backend_for(police_sign_on).verify_token(token, nonce="the-nonce")


def test_an_id_token_without_a_nonce_is_refused(provider, police_sign_on):
    claims = _claims(provider)
    del claims["nonce"]
    with pytest.raises(sign_on_module.SignOnRefused):
        _backend_for(police_sign_on).verify_token(
            _signed_by_the_provider(provider, claims), nonce="the-nonce"
        )


# --- the provider's second factor ---------------------------------------------------------------


def test_the_providers_multi_factor_sign_in_counts_when_the_organisation_says_so(
    client, provider, police_sign_on, alice
):
    sign_in_through(client, provider, police_sign_on, "alice@police.example")
    response = client.get("/boards/warwickshire/")
    assert response.status_code == 200
    event = last_event("two_factor.verified")
    assert event.actor_id == alice.pk
    assert event.after["method"] == "identity_provider"
    assert "mfa" in event.after["amr"]


def test_the_providers_multi_factor_sign_in_does_not_count_when_the_organisation_says_not(
    client, provider, police_sign_on, alice
):
    OrganisationSignOn.objects.filter(pk=police_sign_on.pk).update(accepts_provider_mfa=False)
    sign_in_through(client, provider, police_sign_on, "alice@police.example")
    response = client.get("/boards/warwickshire/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    assert not AuditEvent.objects.filter(verb="two_factor.verified").exists()


def test_a_password_alone_at_the_provider_is_not_a_second_factor(
    client, provider, police_sign_on, pat
):
    sign_in_through(client, provider, police_sign_on, "pat@police.example")
    response = client.get("/boards/warwickshire/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_a_step_needing_a_fresh_second_factor_sends_the_person_back_to_the_provider(
    client, provider, police_sign_on, alice
):
    sign_in_through(client, provider, police_sign_on, "alice@police.example")
    session = client.session
    session[VERIFIED_AT] = int(time.time()) - 3600
    session.save()

    refused = client.post(reverse("two_factor_manage"), {"action": "recovery_codes"})
    assert refused.status_code == 302
    step_up = reverse("sign_on_start", args=[police_sign_on.pk])
    assert refused["Location"].startswith(f"{step_up}?")
    assert "step_up=1" in refused["Location"]

    start = client.get(refused["Location"])
    assert "prompt=login" in start["Location"] and "max_age=60" in start["Location"]
    callback = ProviderBrowser(provider).sign_in(
        start["Location"], email="alice@police.example", password=PROVIDER_PASSWORD
    )
    back = client.get(callback)
    assert back.status_code == 302
    assert back["Location"] == reverse("two_factor_manage")
    assert client.session[VERIFIED_AT] >= int(time.time()) - 60
    response = client.post(reverse("two_factor_manage"), {"action": "recovery_codes"})
    assert response.status_code == 200
    assert last_event("two_factor.verified").after["step_up"] is True


def test_a_step_up_signed_in_as_someone_else_at_the_provider_is_refused(
    client, provider, police_sign_on, alice, dave
):
    sign_in_through(client, provider, police_sign_on, "alice@police.example")
    start = client.get(
        reverse("sign_on_start", args=[police_sign_on.pk]), {"step_up": "1", "next": "/"}
    )
    callback = ProviderBrowser(provider).sign_in(
        start["Location"], email="dave@police.example", password=PROVIDER_PASSWORD
    )
    response = client.get(callback)
    assert response.status_code == 403
    assert "who is not the person signed in to the portal here" in response.content.decode()
    assert signed_in_as(client) == alice


@pytest.mark.parametrize(
    ("claims", "shows"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": "hwk"}, True),
        ({"amr": ["pwd"]}, False),
        # Methods that are not words (a provider's mistake) count for nothing, never an error.
        ({"amr": [["mfa"], {"otp": True}, "pwd"]}, False),
        ({"amr": [{"mfa": 1}, "otp"]}, True),
        ({"amr": {"mfa": True}}, False),
    ],
)
def test_the_providers_methods_are_read_as_words_only(claims, shows):
    assert sign_on_module.shows_multi_factor(claims) is shows


@pytest.mark.parametrize("auth_time", [float("inf"), float("-inf"), float("nan"), True, "1"])
def test_an_unreadable_auth_time_is_taken_as_now(auth_time):
    from boards import two_factor
    from boards.views import _auth_time

    assert abs(_auth_time({"auth_time": auth_time}) - two_factor.now()) <= 1

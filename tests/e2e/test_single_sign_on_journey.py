"""A person of a body with its own identity provider signs in through it in a real browser:
the portal's sign-in page, the provider's own sign-in and consent pages (a real OpenID Connect
provider in a second process), and back to the portal, signed in, the provider's multi-factor
sign-in counting as the second factor."""

import pytest

from audit.models import AuditEvent
from boards.models import OrganisationSignOn
from tests.oidc_provider.harness import Provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENT_ID = "blue-light-portal"
CLIENT_SECRET = "client-secret-of-the-portal-in-the-browser-journey"
PROVIDER_PASSWORD = "correct horse at the provider"


@pytest.fixture(scope="module")
def provider(tmp_path_factory, live_server):
    running = Provider(
        tmp_path_factory.mktemp("provider"),
        clients=[
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{live_server.url}/sign-in/organisation/callback/"],
            }
        ],
        people=[
            {"email": "alice@police.example", "password": PROVIDER_PASSWORD, "groups": ["mfa"]}
        ],
    )
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


def test_the_secretariat_signs_in_with_their_bodys_account(
    live_server, page, provider, police_sign_on, alice, board
):
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/sign-in/?next=/"
    page.get_by_role("link", name="Sign in with your Warwickshire Police account").click()

    page.wait_for_url(f"{provider.base}/accounts/login/**")
    page.get_by_label("Username").fill("alice@police.example")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Archer"
    assert page.get_by_role("link", name=board.name).is_visible()
    event = AuditEvent.objects.filter(verb="sign_in.succeeded").latest("pk")
    assert event.summary == "Alice Archer signed in with Warwickshire Police's single sign-on"
    assert AuditEvent.objects.filter(verb="two_factor.verified", actor_id=alice.pk).exists()

    # The portal's own pages, from here on, run under its strict CSP without a violation.
    page.console_problems.clear()
    page.reload()
    assert page.console_problems == []

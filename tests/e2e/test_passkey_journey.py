"""A passkey as the second factor, in Chromium with a virtual authenticator (DevTools
protocol): the secretariat registers one when setting up, then signs in with password and
passkey."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def with_virtual_authenticator(page):
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return devtools


def password_step(page, base, email):
    page.context.clear_cookies()
    page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_secretariat_registers_a_passkey_and_signs_in_with_it(live_server, page, alice, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    base = live_server.url
    with_virtual_authenticator(page)

    password_step(page, base, alice.email)
    assert "/two-factor/set-up/" in page.url
    page.get_by_role("button", name="Register a passkey or security key").click()
    page.get_by_text("Registration successful!").wait_for()
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Archer"
    assert WebAuthnCredential.objects.filter(user=alice, confirmed=True).count() == 1

    password_step(page, base, alice.email)
    assert "/two-factor/verify/" in page.url
    page.get_by_role("button", name="Use a passkey or security key").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Archer"
    assert AuditEvent.objects.filter(verb="two_factor.passkey_registered", actor=alice).exists()
    assert AuditEvent.objects.get(verb="two_factor.verified").after == {"method": "passkey"}
    assert not [p for p in page.console_problems if "Content Security Policy" in p]

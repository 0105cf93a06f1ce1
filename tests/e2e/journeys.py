"""Steps shared by the browser journeys."""

import base64
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def sign_in(page, base, email, password=PASSWORD):
    """Sign in afresh as ``email`` (any earlier session is dropped) and land on the home page,
    passing the second factor where the person's role needs it: the first time by setting up
    an authenticator from the key the set-up page shows, later with a code from it."""
    page.context.clear_cookies()
    page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    second_factor_if_asked(page, email)
    page.wait_for_url(base + "/")


def second_factor_if_asked(page, email):
    """After the password: set up the second factor, or enter a code, where the page asks."""
    page.wait_for_load_state()
    if "/two-factor/set-up/" in page.url:
        key = base64.b32decode(page.locator("code.user-select-all").inner_text())
        page.get_by_label("Code from the app").fill(f"{totp(key):06d}")
        page.get_by_role("button", name="Turn on the second factor").click()
        page.get_by_role("link", name="I have kept my codes — continue").click()
    elif "/two-factor/verify/" in page.url:
        page.get_by_label("Code").fill(_next_code(email))
        page.get_by_role("button", name="Continue").click()


def _next_code(email):
    """A code of the person's authenticator that has not been used yet. Each code works once:
    a second sign-in within the same 30 seconds types the authenticator's next code, which the
    portal accepts within the device's drift tolerance (a step either way), as it would from a
    phone whose clock runs a little fast; beyond that tolerance, it waits for the next one."""
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    step = int((time.time() - device.t0) // device.step)
    drift = 0
    if step <= device.last_t:
        if device.last_t + 1 - step <= device.tolerance:
            drift = device.last_t + 1 - step
        else:
            time.sleep(
                (device.last_t + 1 - step) * device.step
                - (time.time() - device.t0) % device.step
                + 0.5
            )
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"

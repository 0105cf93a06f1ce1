"""Steps shared by the browser journeys."""

import base64
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

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


# --- by keyboard alone ------------------------------------------------------------------------

# The focused element's accessible name, near enough to the browser's own for the portal's
# controls: aria-label(ledby), its <label>s, then its text, value or title.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: '', tag: ''};
  const text = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  let name = el.getAttribute('aria-label');
  const labelledby = el.getAttribute('aria-labelledby');
  if (!name && labelledby) {
    name = labelledby.split(/\\s+/).map((id) => document.getElementById(id)?.innerText).join(' ');
  }
  if (!name && el.labels && el.labels.length) {
    name = [...el.labels].map((l) => l.innerText).join(' ');
  }
  if (!name) name = el.innerText || el.value || el.getAttribute('title') || '';
  // A required field's label ends in crispy-forms' asterisk, which is not part of its name.
  return {name: text(name).replace(/\\s*\\*$/, ''), tag: el.tagName.toLowerCase(),
    type: el.type || ''};
}"""

# What makes focus visible: the portal's outline, or a box-shadow ring (Bootstrap's inputs).
FOCUS_INDICATOR = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {outline, shadow: style.boxShadow !== 'none', style: style.outlineStyle + ' '
    + style.outlineWidth + ' / ' + style.boxShadow};
}"""


def focused_name(page) -> str:
    try:
        return page.evaluate(FOCUSED)["name"]
    except PlaywrightError:  # a page still loading from the last step: read it once loaded
        page.wait_for_load_state()
        return page.evaluate(FOCUSED)["name"]


def assert_visible_focus(page) -> None:
    indicator = page.evaluate(FOCUS_INDICATOR)
    assert indicator["outline"] or indicator["shadow"], (
        f"no visible focus on “{focused_name(page)}”: {indicator['style']}"
    )


def tab_to(page, name: str, *, exact: bool = True, backwards: bool = False, limit: int = 150):
    """Press Tab (or Shift+Tab) until the control named ``name`` has the focus, at most
    ``limit`` times, and check that the focus can be seen on it."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        current = focused_name(page)
        if current == name or (not exact and name in current):
            assert_visible_focus(page)
            return
        seen.append(current)
    raise AssertionError(f"“{name}” not reached in {limit} presses of {key}; passed {seen[-8:]}")


def press(page, name: str, key: str = "Enter", **options) -> None:
    """Tab to a link or button and press it, waiting for the page it opens."""
    tab_to(page, name, **options)
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def type_into(page, name: str, text: str, **options) -> None:
    """Tab to a field, clear it by keyboard and type ``text``."""
    tab_to(page, name, **options)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def start_over(page) -> None:
    """Put the focus back at the top of the page, as after a fresh load."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    page.evaluate("() => document.body.focus()")


def keyboard_sign_in(page, base, email, password=PASSWORD):
    """Sign in by keyboard alone, with a code from the person's authenticator where asked."""
    page.context.clear_cookies()
    page.goto(base + "/sign-in/")
    type_into(page, "Email address", email)
    type_into(page, "Password", password)
    press(page, "Sign in")
    if "/two-factor/verify/" in page.url:
        type_into(page, "Code", _next_code(email))
        press(page, "Continue")
    page.wait_for_url(base + "/")

"""The idle timeout in a real browser: the warning comes before it, as an accessible dialog with
focus on "Stay signed in", which keeps the session; left alone, the session ends, and a form
sent then comes back filled in after signing in again."""

import pytest

from tests.e2e.journeys import second_factor_if_asked
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email, path="/"):
    page.goto(base + path)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_factor_if_asked(page, email)
    page.wait_for_url(base + path)


def test_the_timeout_warning_offers_to_stay_signed_in(live_server, page, bob, board, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_WARNING_SECONDS = 6
    sign_in(page, live_server.url, "bob@fire.example")

    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible", timeout=6000)
    assert "you will be signed out" in dialog.inner_text()
    stay = page.get_by_role("button", name="Stay signed in")
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    stay.click()
    dialog.wait_for(state="hidden")

    # Still signed in past the original deadline, thanks to the button.
    page.wait_for_timeout(3000)
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Bob Baker"
    assert page.console_problems == []


def test_a_form_sent_after_the_timeout_is_filled_in_again_after_signing_in(
    live_server, page, alice, board, settings
):
    path = f"/boards/{board.slug}/meetings/new/"
    # Signed in (setting up the second factor) before the short limit applies: on a busy
    # machine the set-up pages may take longer than the limit, and the warning would cover them.
    sign_in(page, live_server.url, "alice@police.example", path)
    settings.SESSION_IDLE_TIMEOUT = 4
    settings.SESSION_WARNING_SECONDS = 2
    page.goto(live_server.url + path)
    page.get_by_label("Title").fill("Estates workshop")
    page.get_by_label("Venue").fill("Shire Hall, Warwick")
    for name, time in (("starts_at", "10am"), ("ends_at", "midday")):
        for box, typed in enumerate(("4", "3", "2031", time)):
            page.locator(f"#id_{name}_{box}").fill(typed)
    # The session ends: the dialog says so.
    page.get_by_role("button", name="Sign in again").wait_for(state="visible", timeout=8000)
    page.get_by_role("button", name="Back to the page").click()
    # The server's idle limit has passed too, whatever the page's timer made of a slow machine.
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Save as a draft").click()

    page.wait_for_url("**/sign-in/**")
    assert "what you typed in the form is kept" in page.content()
    # The next session lasts long enough for the second factor (a fresh code may take 30 s).
    settings.SESSION_IDLE_TIMEOUT = 600
    page.get_by_label("Email address").fill("alice@police.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_factor_if_asked(page, "alice@police.example")
    page.wait_for_url(live_server.url + path)
    assert page.get_by_label("Title").input_value() == "Estates workshop"
    assert page.get_by_label("Venue").input_value() == "Shire Hall, Warwick"
    assert page.get_by_role("status").filter(has_text="What you typed is back").is_visible()

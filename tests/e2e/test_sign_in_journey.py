import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_signs_in_through_the_login_page_and_sees_their_home(live_server, page, bob, board):
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/sign-in/?next=/"
    page.get_by_label("Email address").fill("bob@fire.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Bob Baker"
    assert page.get_by_role("link", name=board.name).is_visible()
    assert page.get_by_text("Needs my attention").is_visible()
    # The pages run under the strict Content-Security-Policy without a single violation.
    assert page.console_problems == []


def test_a_wrong_password_shows_the_error_summary_with_focus(live_server, page, bob):
    page.goto(live_server.url + "/sign-in/")
    page.get_by_label("Email address").fill("bob@fire.example")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator("[data-error-summary]")
    assert "The email address or password is not right" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.console_problems == []

"""Steps shared by the browser journeys."""

from tests.factories import PASSWORD


def sign_in(page, base, email):
    """Sign in afresh as ``email`` (any earlier session is dropped) and land on the home page."""
    page.context.clear_cookies()
    page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")

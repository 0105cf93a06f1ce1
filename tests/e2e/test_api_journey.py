"""A member makes a personal API token in the browser, reads the register with it as a script
would, reads the API's documentation page, and revokes the token from "your sessions"."""

import json
import urllib.error
import urllib.request

import pytest

from tests.e2e import journeys
from tests.e2e.site_crawl import run_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_member_makes_uses_and_revokes_a_token(live_server, page, bob, board, opportunity):
    base = live_server.url
    journeys.sign_in(page, base, "bob@fire.example")
    page.goto(base + "/account/sessions/")
    page.get_by_role("link", name="your API tokens page").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API tokens"
    assert run_axe(page) == []
    page.get_by_label("Name").fill("Fire case system")
    page.get_by_label("1 year").check()
    page.get_by_role("button", name="Make the token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("blc_")
    assert run_axe(page) == []

    status, body = _get(base + "/api/register", token)
    assert status == 200 and [row["title"] for row in body["results"]] == [opportunity.title]

    page.get_by_role("link", name="API", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "API documentation"
    assert page.get_by_role("heading", name="GET /api/register", exact=True).is_visible()
    assert run_axe(page) == []
    assert page.console_problems == []

    page.goto(base + "/account/sessions/")
    page.get_by_role("button", name="Revoke the API token “Fire case system”").click()
    assert page.get_by_text("is revoked: it no longer works").is_visible()
    status, body = _get(base + "/api/register", token)
    assert status == 401 and "was revoked" in body["detail"]
    assert page.console_problems == []

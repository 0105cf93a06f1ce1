"""Deny by default: every URL asked for anonymously goes to sign-in, unless meant to be public."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views a visitor may reach without signing in, by URL name.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    # Single sign-on through a body's identity provider: its start and its callback.
    "sign_on_start",
    "sign_on_callback",
    "healthz",
    # The accessibility statement, privacy notice, cookies and contact pages.
    "accessibility_statement",
    "privacy_notice",
    "cookies",
    "contact",
    "calendar_feed",  # token-authenticated: a wrong token is a 404
    "plan_feed",  # the forward plan's feed, token-authenticated like the calendar feed
    "digest_unsubscribe",  # signed-token link in the digest e-mail: a bad token is a 400
    # A board's public pages: a 404 unless the board has switched them on.
    "public_home",
    "public_meeting_list",
    "public_not_pursued",
    "public_meeting",
    "public_register",
    "public_forward_plan",
    "public_pack",
    "public_minutes_pdf",
    "public_paper",
    "public_collaboration",
    "public_decisions",
    "public_decision",
    "public_feed",
}
SAMPLE = {"int": "1", "slug": "some-board", "str": "sample", "path": "sample", "uuid": "0" * 32}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str) -> str:
    """A URL that matches the route, with sample values for its converters."""
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    if route.startswith("^"):  # the admin's regex patterns
        route = route.lstrip("^").rstrip("$")
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("\\", "")
    return "/" + route


def portal_urls():
    return [
        pytest.param(_concrete(route), pattern.name, id=_concrete(route))
        for route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith("admin/")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), portal_urls())
def test_anonymous_visitor_is_sent_to_sign_in_unless_the_page_is_public(client, url, name):
    response = client.get(url)
    if url.startswith("/api/") and response.status_code != 302:
        # The API's endpoints answer for themselves: 401 without a token (400 for an id that
        # is not one, 404 for a board whose public pages are off, 405 for a write asked with
        # GET), never a sign-in page.
        status = response.status_code
        assert status in (400, 401, 404, 405), f"{url} answered {status}"
        if response["Content-Type"].startswith("application/json"):
            assert "detail" in response.json()
        return
    if name in PUBLIC:
        assert not (response.status_code == 302 and "/sign-in/" in response["Location"])
        assert response.status_code < 500
    else:
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.django_db
def test_the_walk_finds_the_private_pages(client):
    names = {name for _, name in (p.values for p in portal_urls())}
    assert {"home", "board_detail", "person_invite", "invitation_resend"} <= names


@pytest.mark.django_db
def test_administration_site_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/admin/boards/user/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/admin/boards/user/"

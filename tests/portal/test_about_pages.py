"""The accessibility statement, privacy notice, cookies and contact pages: open to everyone and
linked from the footer of every page, public pages included."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("accessibility_statement", "Accessibility statement for the Blue Light Collaboration portal"),
    ("privacy_notice", "Privacy notice"),
    ("cookies", "Cookies"),
    ("contact", "Contact the board\N{RIGHT SINGLE QUOTATION MARK}s secretariat"),
]


@pytest.mark.parametrize(("name", "heading"), PAGES)
def test_anyone_reads_the_page_without_signing_in(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


@pytest.mark.parametrize(("name", "heading"), PAGES)
def test_a_signed_in_member_reads_the_page(client_of, bob, name, heading):
    response = client_of(bob).get(reverse(name))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert "Bob Baker" in response.content.decode()  # the signed-in header


def test_the_statement_says_how_to_report_a_problem_and_the_enforcement_procedure(client, settings):
    settings.CONTACT_EMAIL = "secretariat@example.org"
    page = client.get(reverse("accessibility_statement")).content.decode()
    assert 'href="mailto:secretariat@example.org"' in page
    assert "Reporting accessibility problems" in page
    assert "Enforcement procedure" in page
    assert "Equality and Human Rights Commission" in page
    assert "axe-core" in page and "320 pixels" in page


def test_the_cookies_page_names_only_essential_cookies(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 45 * 60
    page = client.get(reverse("cookies")).content.decode()
    for cookie in ("sessionid", "csrftoken", "messages"):
        assert f"<td>{cookie}</td>" in page
    assert "only essential cookies" in page
    assert "after 45 minutes without activity" in page


def _footer_links(html: str) -> list[str]:
    footer = html[html.index("<footer") :]
    return [reverse(name) for name, _ in PAGES if f'href="{reverse(name)}"' in footer]


def test_the_footer_of_a_public_page_links_every_page(client, board):
    board.public_pages_enabled = True
    board.save()
    html = client.get(reverse("public_home", args=[board.slug])).content.decode()
    assert _footer_links(html) == [reverse(name) for name, _ in PAGES]


def test_the_footer_of_the_sign_in_page_and_of_home_links_every_page(client_of, client, bob):
    assert len(_footer_links(client.get(reverse("login")).content.decode())) == 4
    assert len(_footer_links(client_of(bob).get(reverse("home")).content.decode())) == 4


def test_a_page_is_refused_to_a_post(client):
    assert client.post(reverse("cookies")).status_code == 405

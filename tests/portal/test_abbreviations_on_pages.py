"""On the main pages of the demo, each body's short name (WFRS, WCC, OPCC, WMAS) is either written
out in full earlier on the page or shown in an <abbr> with its full name (GOV.UK: expand an
abbreviation on first use)."""

import html
import re

import pytest
from django.core.management import call_command

from boards.models import Organisation, User

pytestmark = pytest.mark.django_db

SHORT_NAMES = ("WFRS", "WCC", "OPCC", "WMAS")
PEOPLE = ("priya.shah@warwickshire-cc.example", "helen.marsh@opcc.example")
MAX_PAGES = 40


def main_pages(client):
    """The home page and the pages its own links lead to (one step: the main pages)."""
    home = client.get("/").content.decode()
    links = re.findall(r'<a [^>]*href="(/[^"#?]*)"', home)
    skipped = ("/static/", "/media/", "/admin/", "/sign-out/", "/accounts/logout")
    seen = ["/"]
    for link in links:
        if (
            link not in seen
            and not link.startswith(skipped)
            and not link.endswith((".pdf", ".ics"))
        ):
            seen.append(link)
    return seen[:MAX_PAGES]


def unexpanded(page: str, bodies: dict[str, str]) -> list[str]:
    """The short names on the page that are neither in an <abbr title="full name"> nor preceded
    on the page by the full name."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    for short, full in bodies.items():
        body = body.replace(f'<abbr title="{html.escape(full)}">{short}</abbr>', "[expanded]")
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    text = " ".join(text.split())
    wrong = []
    for short, full in bodies.items():
        for match in re.finditer(rf"\b{short}\b", text):
            if full not in text[: match.start()]:
                wrong.append(f"{short}: …{text[max(0, match.start() - 60) : match.end() + 20]}…")
    return wrong


def test_the_demo_pages_expand_every_short_name(client_of):
    call_command("seed_demo", verbosity=0)
    bodies = dict(
        Organisation.objects.filter(short_name__in=SHORT_NAMES).values_list("short_name", "name")
    )
    assert set(bodies) == set(SHORT_NAMES)
    problems = {}
    pages_checked = 0
    shown = set()
    for email in PEOPLE:
        client = client_of(User.objects.get(email=email))
        for path in main_pages(client):
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            page = response.content.decode()
            pages_checked += 1
            shown |= {short for short in SHORT_NAMES if re.search(rf"\b{short}\b", page)}
            wrong = unexpanded(page, bodies)
            if wrong:
                problems[f"{email} {path}"] = wrong
    assert pages_checked >= 10
    assert shown == set(SHORT_NAMES)  # the check saw every body named somewhere
    assert problems == {}, "\n".join(f"{page}: {wrong}" for page, wrong in problems.items())


def test_the_check_finds_a_bare_short_name():
    bodies = {"WFRS": "Warwickshire Fire and Rescue Service"}
    assert unexpanded("<body><p>Led by WFRS</p></body>", bodies)
    assert not unexpanded(
        '<body><p><abbr title="Warwickshire Fire and Rescue Service">WFRS</abbr></p></body>', bodies
    )
    assert not unexpanded(
        "<body><p>Warwickshire Fire and Rescue Service (WFRS)</p><p>WFRS</p></body>", bodies
    )

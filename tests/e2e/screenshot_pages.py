"""Screenshots of the main pages at 320 px and 1280 px for review: `make screenshots`.

Not part of the suite (the name does not start with test_): run on its own, it loads the
demonstration data and writes PNGs into screenshots/ (ignored by git).
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from demo.boards import BOARD_SLUG
from tests.e2e.site_crawl import sign_in

pytestmark = [pytest.mark.e2e]

OUT = Path(__file__).resolve().parents[2] / "screenshots"
WIDTHS = (320, 1280)


def first_link(page, base, path, selector):
    page.goto(base + path)
    return page.locator(selector).first.get_attribute("href")


def shoot(browser, base, email, pages):
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        if email:
            sign_in(page, base, email)
        for name, path in pages(page, base):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"{name}-{width}.png", full_page=True)
        context.close()


def secretariat_pages(page, base):
    opportunity = first_link(page, base, "/register/", "main table a[href^='/register/']")
    meeting = first_link(
        page, base, f"/boards/{BOARD_SLUG}/meetings/", "main table a[href^='/meetings/']"
    )
    return [
        ("home", "/"),
        ("register", "/register/"),
        ("opportunity", opportunity),
        ("meeting", meeting),
        ("dashboard", f"/boards/{BOARD_SLUG}/dashboard/"),
    ]


def executive_pages(page, base):
    referral = first_link(page, base, "/referrals/", "main a[href^='/referrals/']")
    return [("referrals", "/referrals/"), ("referral", referral)]


def public_pages(page, base):
    return [("public-register", f"/public/{BOARD_SLUG}/collaborations/")]


def test_screenshots_of_the_main_pages(django_db_setup, django_db_blocker, live_server, browser):
    OUT.mkdir(exist_ok=True)
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        call_command("seed_demo", stdout=io.StringIO())
        try:
            shoot(browser, live_server.url, "priya.shah@warwickshire-cc.example", secretariat_pages)
            shoot(browser, live_server.url, "andrew.holt@police.example", executive_pages)
            shoot(browser, live_server.url, None, public_pages)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    assert len(list(OUT.glob("*.png"))) >= 16

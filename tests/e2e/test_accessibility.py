"""WCAG 2.2 AA across the portal: every page each demo role reaches, found by a crawl.

The crawl (tests/e2e/site_crawl.py) signs in as each kind of person in ``seed_demo`` — and as
nobody — follows every link it finds, and checks each page (and each form's error state) with
axe-core, at 320 px and 1280 px, and with the WCAG text-spacing overrides on the header.
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from demo.boards import BOARD_SLUG
from tests.e2e import site_crawl

pytestmark = [pytest.mark.e2e]

# One of each kind of person in the demonstration data, and the public.
ROLES = [
    ("public", None),
    ("chair", "helen.marsh@opcc.example"),
    ("member", "simon.ashworth@police.example"),
    ("secretariat", "priya.shah@warwickshire-cc.example"),
    ("police executive", "andrew.holt@police.example"),
]


@pytest.fixture(scope="module")
def findings(django_db_setup, django_db_blocker, live_server, browser):
    """One crawl for the whole module: the demonstration data, every role, then a clean database."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing:
        call_command("seed_demo", stdout=io.StringIO())
        result = site_crawl.Findings()
        public = [
            f"/public/{BOARD_SLUG}/",
            f"/public/{BOARD_SLUG}/forward-plan/",
            "/sign-in/",
            "/password/reset/",
        ]
        for role, email in ROLES:
            starts = public if email is None else ["/"]
            site_crawl.crawl(browser, live_server.url, role, email, starts, result)
        yield result
        call_command("flush", interactive=False, verbosity=0)


def _listing(problems: dict) -> str:
    return "\n".join(f"{where}: {what}" for where, what in sorted(problems.items()))


def test_the_crawl_reaches_the_pages_and_forms_of_every_role(findings):
    assert findings.pages >= 60
    assert findings.forms_with_errors >= 15


def test_no_page_has_a_wcag_22_aa_violation(findings):
    assert findings.violations == {}, _listing(findings.violations)


def test_no_form_error_state_has_a_wcag_22_aa_violation(findings):
    assert findings.form_violations == {}, _listing(findings.form_violations)


def test_no_page_scrolls_sideways_at_320_px(findings):
    assert findings.narrow_overflow == {}, _listing(findings.narrow_overflow)


def test_no_page_scrolls_sideways_at_1280_px(findings):
    assert findings.wide_overflow == {}, _listing(findings.wide_overflow)


def test_text_spacing_overrides_keep_every_header_item_inside_the_header(findings):
    assert findings.header_outside == {}, _listing(findings.header_outside)


def test_no_link_a_person_is_shown_leads_to_a_page_not_found(findings):
    assert findings.not_found == set()


def test_each_page_title_belongs_to_one_url_pattern(findings):
    shared = {title: patterns for title, patterns in findings.titles.items() if len(patterns) > 1}
    assert shared == {}, _listing(shared)

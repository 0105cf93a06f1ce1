"""A bounded crawl of the portal as one person (or nobody), checking each page as it goes.

The crawl starts at the home page (and, for the public, at each board's public pages), follows
every same-site link it finds, and visits at most ``PER_PATTERN`` pages of each URL pattern, so a
register of a hundred opportunities costs no more than one of two. On each page it runs axe-core
(vendored in portal/static/vendor/axe-core) for WCAG 2.0, 2.1 and 2.2 A and AA, measures the
page's width at 320 px and at 1280 px, and notes the title. Each form found on the way is then
submitted with its text fields empty, and its error state is checked the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from demo.boards import DEMO_PASSWORD
from tests.e2e import journeys

AXE_PATH = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PER_PATTERN = 1
NARROW, WIDE = 320, 1280

# Links the crawl never follows: signing out ends the session; files are not pages; the admin
# site is Django's own.
SKIPPED_PREFIXES = ("/admin/", "/sign-out/", "/static/", "/media/")
SKIPPED_NAMES = {
    "logout",
    "pack_download",
    "minutes_download",
    "meeting_ics",
    "calendar_feed",
    "register_export_csv",
    "register_export_xlsx",
    "paper_download",
    "referral_document",
    "report_download",
    "healthz",
    "digest_unsubscribe",
    # The public pages' files and feed: not pages (the public meeting, decision and
    # collaboration pages that link them are crawled).
    "public_pack",
    "public_minutes_pdf",
    "public_paper",
    "public_feed",
    "plan_feed",
    "forward_plan_csv",
    "forward_plan_xlsx",
}

# Pages every signed-in role visits whether or not a link to them was found first.
SIGNED_IN_PAGES = ["/verify/"]

# Pages the crawl must reach (by URL name) for some role: pages behind a link that only
# appears with the demonstration data, such as the paper viewer behind a published paper.
MUST_REACH = {
    "paper_read": "the paper viewer (reading and annotating a paper)",
    "notes_packs": "a member's copies of the papers with their notes",
}

# The WCAG 1.4.12 text-spacing overrides, applied to every element through the CSSOM (the strict
# CSP refuses an injected style sheet, not element styles set by script).
TEXT_SPACING = """() => {
  for (const el of document.querySelectorAll('body *')) {
    el.style.setProperty('line-height', '1.5', 'important');
    el.style.setProperty('letter-spacing', '0.12em', 'important');
    el.style.setProperty('word-spacing', '0.16em', 'important');
  }
  for (const p of document.querySelectorAll('p')) {
    p.style.setProperty('margin-bottom', '2em', 'important');
  }
}"""

# Each visible item of the header must lie inside the header's box and inside the window.
HEADER_ITEMS_OUTSIDE = """() => {
  const header = document.querySelector('.portal-header').getBoundingClientRect();
  const items = document.querySelectorAll(
    '.portal-header .navbar-brand, .portal-header .nav-link, .portal-header .navbar-toggler,'
    + ' .portal-header input, .portal-header button');
  const outside = [];
  for (const el of items) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // inside the collapsed menu
    if (box.left < header.left - 1 || box.right > header.right + 1 || box.top < header.top - 1
        || box.bottom > header.bottom + 1 || box.right > window.innerWidth + 1) {
      outside.push((el.innerText || el.getAttribute('aria-label') || el.name || el.tagName).trim());
    }
  }
  return outside;
}"""

LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)"""

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
SETTLED_OVERFLOW = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
  () => setTimeout(() => done(document.documentElement.scrollWidth - window.innerWidth), 50))))"""


@dataclass
class Findings:
    """What the crawl saw, keyed by "role path" so a failure names where to look."""

    violations: dict[str, list[str]] = field(default_factory=dict)
    form_violations: dict[str, list[str]] = field(default_factory=dict)
    narrow_overflow: dict[str, int] = field(default_factory=dict)
    wide_overflow: dict[str, int] = field(default_factory=dict)
    header_outside: dict[str, list[str]] = field(default_factory=dict)
    titles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    roles: dict[str, tuple[int, int]] = field(default_factory=dict)
    not_found: set[str] = field(default_factory=set)
    reached: set[str] = field(default_factory=set)
    pages: int = 0
    forms: int = 0
    forms_with_errors: int = 0
    check_pages: int = 0


def url_pattern(path: str) -> tuple[str, str] | None:
    """The route and name of ``path``, or None when the crawl should not visit it."""
    if path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.url_name or ""
    if name in SKIPPED_NAMES or "download" in name or "export" in name:
        return None
    if match.route.endswith((".csv", ".xlsx", ".pdf", ".ics", ".json")):
        return None
    return match.route, match.url_name or ""


def sign_in(page, base: str, email: str) -> None:
    """Sign in as a demo person, passing the second factor where their role needs it."""
    journeys.sign_in(page, base, email, password=DEMO_PASSWORD)


def run_axe(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Loaded from the portal's own static files, as the strict CSP allows.
        base = urlsplit(page.url)
        page.add_script_tag(url=f"{base.scheme}://{base.netloc}{AXE_PATH}")
    result = page.evaluate(
        "async (tags) => (await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map((v) => v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '))",
        AXE_TAGS,
    )
    return list(result)


def overflow_at(page, width: int) -> int:
    """How far the page scrolls sideways at ``width``: after the resize has settled (charts redraw
    a frame later) and, if it still scrolls, once more on a page loaded afresh at that width."""
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate(SETTLED_OVERFLOW)
    if overflow > 0:
        page.reload()
        overflow = page.evaluate(SETTLED_OVERFLOW)
    return overflow


def check_page(page, key: str, findings: Findings) -> None:
    violations = run_axe(page)
    if violations:
        findings.violations[key] = violations
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        findings.wide_overflow[key] = overflow
    overflow = overflow_at(page, NARROW)
    if overflow > 0:
        findings.narrow_overflow[key] = overflow
    page.set_viewport_size({"width": WIDE, "height": 900})


def check_header_spacing(page, role: str, findings: Findings) -> None:
    for width in (WIDE, 1024, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(TEXT_SPACING)
        outside = page.evaluate(HEADER_ITEMS_OUTSIDE)
        if outside:
            findings.header_outside[f"{role} at {width}px"] = outside
    page.set_viewport_size({"width": WIDE, "height": 900})


def crawl(browser, base: str, role: str, email: str | None, starts: list[str], findings: Findings):
    context = browser.new_context(viewport={"width": WIDE, "height": 900})
    page = context.new_page()
    if email:
        sign_in(page, base, email)
    queue = [base + start for start in starts + (SIGNED_IN_PAGES if email else [])]
    seen: set[str] = set()
    per_pattern: dict[tuple[str, str], int] = defaultdict(int)
    forms: list[tuple[str, int, str]] = []
    form_keys: set[tuple[str, str]] = set()
    first = True
    while queue:
        url = urldefrag(queue.pop(0)).url
        parts = urlsplit(url)
        if url in seen or parts.netloc != urlsplit(base).netloc:
            continue
        seen.add(url)
        pattern = url_pattern(parts.path)
        if pattern is None or per_pattern[pattern] >= PER_PATTERN:
            continue
        try:
            response = page.goto(url)
        except PlaywrightError:  # a file to download after all
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status == 404:
            findings.not_found.add(f"{role} {parts.path}")
        if response.status >= 400 or urlsplit(page.url).path != parts.path:
            continue  # refused, or redirected somewhere the crawl will find by itself
        per_pattern[pattern] += 1
        findings.pages += 1
        findings.reached.add(pattern[1])
        key = f"{role} {parts.path}{'?' + parts.query if parts.query else ''}"
        findings.titles[page.title()].add(pattern[0])
        check_page(page, key, findings)
        if first:
            check_header_spacing(page, role, findings)
            page.goto(url)
            first = False
        for index, action in enumerate(page.evaluate(FORMS)):
            action_pattern = url_pattern(urlsplit(action).path)
            form_key = (pattern[0], action_pattern[0] if action_pattern else action)
            if form_key not in form_keys:
                form_keys.add(form_key)
                forms.append((url, index, key))
        queue.extend(page.evaluate(LINKS))
    for url, index, key in forms:
        check_form(page, url, index, key, findings)
    context.close()
    findings.roles[role] = (len(per_pattern), len(forms))


# The forms a person fills in: posted, with something to type or choose that is required. Forms
# of buttons alone (move up, publish, mark read) are actions, not forms with an error state.
FILLABLE_POST = """(form) => (form.getAttribute('method') || 'get').toLowerCase() === 'post'
  && form.querySelector('input:not([type=hidden]):not([type=submit]):not([type=checkbox])'
    + ':not([type=radio]), textarea, [required]') !== null"""

FORMS = """() => [...document.querySelectorAll('main form')].filter(FILLABLE)
  .map((form) => form.action)""".replace("FILLABLE", FILLABLE_POST)

EMPTY_AND_SUBMIT = """(index) => {
  const form = [...document.querySelectorAll('main form')].filter(FILLABLE)[index];
  for (const el of form.querySelectorAll(
      'input:not([type=hidden]):not([type=submit]):not([type=checkbox]):not([type=radio])'
      + ':not([type=file]), textarea')) {
    el.value = '';
  }
  for (const select of form.querySelectorAll('select[required]')) {
    if (select.querySelector('option[value=""]')) select.value = '';
  }
  form.noValidate = true;
  const submit = form.querySelector('button[type=submit], input[type=submit], button:not([type])');
  if (submit) submit.click(); else form.requestSubmit();
}""".replace("FILLABLE", FILLABLE_POST)


def check_form(page, url: str, index: int, key: str, findings: Findings) -> None:
    page.goto(url)
    with page.expect_navigation():
        page.evaluate(EMPTY_AND_SUBMIT, index)
    page.wait_for_load_state()
    findings.forms += 1
    if page.locator("[data-error-summary], .is-invalid, .invalid-feedback").count() == 0:
        return  # nothing was required: the form went through
    findings.forms_with_errors += 1
    form_key = f"{key} form {index + 1} (error state)"
    violations = run_axe(page)
    if violations:
        findings.form_violations[form_key] = violations
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        findings.wide_overflow[form_key] = overflow
    page.set_viewport_size({"width": NARROW, "height": 800})
    overflow = page.evaluate(SETTLED_OVERFLOW)
    if overflow > 0:
        findings.narrow_overflow[form_key] = overflow
    page.set_viewport_size({"width": WIDE, "height": 900})


# --- the check-your-answers pages, reached only through a filled-in form ---------------------

SECRETARIAT = "priya.shah@warwickshire-cc.example"
CHAIR = "helen.marsh@opcc.example"
POLICE_EXECUTIVE = "andrew.holt@police.example"


def check_answers_pages(browser, base: str, findings: Findings) -> None:
    """Fill in each form that leads to a check page (without confirming it) and check that page
    like any other: an executive's decision, sending a recommendation, withdrawing an
    opportunity, cancelling a meeting and approving minutes."""
    from meetings.models import Meeting
    from opportunities.models import Opportunity, Recommendation, Referral

    police_referral = (
        Referral.objects.filter(
            organisation__short_name="Police",
            status__in=Referral.DECIDABLE,
            sent_at__isnull=False,
            recommendation__opportunity__status="awaiting_decisions",
        )
        .order_by("pk")
        .first()
    )
    unsent = Recommendation.objects.filter(sent_at__isnull=True).order_by("pk").first()
    withdrawable = Opportunity.objects.filter(status="proposed").order_by("pk").first()
    cancellable = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).order_by("pk").first()
    drafted = Meeting.objects.filter(status=Meeting.Status.MINUTES_DRAFTED).order_by("pk").first()
    for name, found in [
        ("a referral awaiting the police", police_referral),
        ("an unsent recommendation", unsent),
        ("a proposed opportunity", withdrawable),
        ("a scheduled meeting", cancellable),
        ("a meeting with draft minutes", drafted),
    ]:
        assert found is not None, f"the demonstration data has no {name}"

    # One browser per person, signed in once: signing the same person in again within a
    # minute would wait for their authenticator's next code (each code works once).
    pages: dict[str, Page] = {}

    def visit(email: str, steps) -> None:
        if email not in pages:
            page = browser.new_context(viewport={"width": WIDE, "height": 900}).new_page()
            sign_in(page, base, email)
            pages[email] = page
        page = pages[email]
        steps(page)
        page.wait_for_load_state()
        assert page.locator(".summary-list").count() == 1, page.url
        findings.pages += 1
        findings.check_pages += 1
        key = f"check page {urlsplit(page.url).path}"
        findings.titles[page.title()].add(f"{key} ({page.locator('h1').inner_text()[:20]})")
        check_page(page, key, findings)

    def decide(page) -> None:
        page.goto(base + police_referral.get_absolute_url())
        page.get_by_label("Approved", exact=True).check()
        page.get_by_label("Decision reference").fill("CCOG/2026/99")
        page.get_by_role("button", name="Continue").click()

    def send(page) -> None:
        page.goto(base + unsent.opportunity.get_absolute_url())
        page.get_by_role("button", name="Send to the executives").click()

    def withdraw(page) -> None:
        page.goto(base + withdrawable.get_absolute_url())
        page.get_by_label("Move to").select_option("withdrawn")
        page.get_by_label("Reason (recorded on the timeline)").fill("Merged with another.")
        page.get_by_role("button", name="Change status").click()

    def cancel(page) -> None:
        page.goto(base + f"/meetings/{cancellable.pk}/cancel/")
        page.get_by_label("Reason for cancelling").fill("Too few bodies can attend.")
        page.get_by_role("button", name="Cancel the meeting").click()

    def approve(page) -> None:
        page.goto(base + drafted.get_absolute_url())
        page.get_by_role("button", name="Approve the minutes").click()

    visit(POLICE_EXECUTIVE, decide)
    visit(SECRETARIAT, send)
    visit(SECRETARIAT, withdraw)
    visit(SECRETARIAT, cancel)
    visit(CHAIR, approve)
    for page in pages.values():
        page.context.close()

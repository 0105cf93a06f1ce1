"""The pages the benchmark measures, who asks for each, and the bar each must meet.

A bar is a ratio to the bare signed-in view's requests per second in the same run. The list
pages' bar is 0.3 at 10 000 opportunities (scale 1) and 0.25 at 100 000 (scale 10); search's
0.25 at both; the dashboard (its figures cached) 0.5; the trivial page in the full layout 0.7.
Every page must also serve at least ADMIN_MULTIPLE times the requests per second of the
Django admin's changelist of opportunities. Pages without a ratio bar of their own are measured
for the record and held to the admin multiple only.
"""

from dataclasses import dataclass

ADMIN_MULTIPLE = 5.0
WORKER_BAR_MB = 150
DASHBOARD_BUILD_BAR_MS = 200

MEMBER = "simon.ashworth@police.example"
SECRETARIAT = "priya.shah@warwickshire-cc.example"
EXECUTIVE = "nadia.cole@fire.example"
ADMINISTRATOR = "admin@bluelight.example"
PEOPLE = (MEMBER, SECRETARIAT, EXECUTIVE, ADMINISTRATOR)

BARE = "/bench/bare/"
ADMIN_CHANGELIST = "/admin/opportunities/opportunity/"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    person: str  # an e-mail address, or "" for an anonymous visitor
    bar: float | None  # the least ratio to the bare view, or None


def list_bar(scale: int) -> float:
    return 0.3 if scale == 1 else 0.25


def pages(scale: int, facts: dict) -> list[Page]:
    """Every page measured at ``scale``; ``facts`` from in_process.py's ``facts``."""
    board = f"/boards/{facts['board']}"
    public = f"/public/{facts['board']}"
    bar = list_bar(scale)
    return [
        Page("trivial page, full layout", "/password/change/done/", MEMBER, 0.7),
        Page("register, first page", "/register/", MEMBER, bar),
        Page("register, filtered", "/register/?status=in_delivery&theme=estates", MEMBER, bar),
        Page("register, deep page", f"/register/?page={facts['last_page']}", MEMBER, bar),
        Page("register, searched", "/register/?q=opportunity+0042", MEMBER, None),
        Page("opportunity page", f"/register/{facts['opportunity']}/", MEMBER, bar),
        Page("referrals inbox (executive)", "/referrals/", EXECUTIVE, bar),
        Page("home (secretariat)", "/", SECRETARIAT, bar),
        Page("meetings", f"{board}/meetings/", MEMBER, bar),
        Page("decision matrix (secretariat)", f"{board}/decisions/", SECRETARIAT, bar),
        Page("notifications", "/notifications/", MEMBER, bar),
        Page("message log (secretariat)", f"{board}/messages/", SECRETARIAT, bar),
        Page("message log, searched", f"{board}/messages/?q=BLC-0042", SECRETARIAT, None),
        Page("public register (anonymous)", f"{public}/collaborations/", "", bar),
        Page("search, a word", "/search/?q=arson", MEMBER, 0.25),
        Page("search, two words", "/search/?q=control+room", MEMBER, 0.25),
        Page("search, a reference", "/search/?q=BLC-0042", MEMBER, 0.25),
        Page("dashboard (figures cached)", f"{board}/dashboard/", MEMBER, 0.5),
        Page("board members", f"{board}/", MEMBER, None),
        Page("calendar feed (token)", "/calendar/bench-feed-token.ics", "", None),
        Page("reviews due", f"{board}/reviews/", MEMBER, None),
        Page("annual reports (secretariat)", f"{board}/reports/", SECRETARIAT, None),
        Page("public home (anonymous)", f"{public}/", "", None),
        Page("public meetings (anonymous)", f"{public}/meetings/", "", None),
    ]

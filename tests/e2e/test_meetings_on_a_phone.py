"""At 320 pixels wide the meetings list, the reply page, the attendance form and the action
tables fit the screen: nothing makes the page scroll sideways (wide tables scroll within
themselves)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting
from tests.e2e.journeys import sign_in
from tests.factories import ActionFactory, AgendaItemFactory, MeetingFactory
from tests.meetings.helpers import invite_board

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_meeting_pages_fit_a_320_pixel_screen(live_server, browser, board, alice, bob, dave):
    upcoming = MeetingFactory(
        board=board, created_by=alice, status=Meeting.Status.SCHEDULED, title="Spring meeting"
    )
    invite_board(upcoming, alice, bob, dave)
    held = MeetingFactory(
        board=board,
        created_by=alice,
        status=Meeting.Status.HELD,
        title="Autumn meeting with a rather long title for a small screen",
        starts_at=timezone.now() - timedelta(days=1),
    )
    invite_board(held, alice, bob, dave)
    AgendaItemFactory(meeting=held, title="Shared estates")
    ActionFactory(meeting=held, owner=bob, description="Draft the shared estates review " * 3)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    base = live_server.url
    try:
        as_people = {
            "bob@fire.example": {
                "meetings list": f"{base}/boards/{board.slug}/meetings/",
                "reply page": f"{base}/meetings/{upcoming.pk}/reply/",
                "action table": f"{base}/meetings/{held.pk}/",
                "action log": f"{base}/boards/{board.slug}/actions/",
            },
            "alice@police.example": {
                "attendance form": f"{base}/meetings/{held.pk}/attendance/",
                "meeting page of the secretariat": f"{base}/meetings/{held.pk}/",
            },
        }
        wide = {}
        for email, pages in as_people.items():
            sign_in(page, base, email)
            for name, url in pages.items():
                page.goto(url)
                wide[name] = overflow(page)
        assert wide == {name: 0 for pages in as_people.values() for name in pages}
    finally:
        context.close()

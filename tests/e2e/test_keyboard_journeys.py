"""The portal's journeys by keyboard alone: Tab and Shift+Tab to move, Enter and Space to press,
arrow keys within a group of radios, typing into the field that has the focus. No mouse, no
filling fields from outside the page; the focus must be visible on every control it reaches.

1. A member signs in and replies to a meeting invitation (journey 1).
2. The secretariat sends a recommendation through its check page (journey 2).
3. An executive records a decision, changes an answer on the check page and confirms (journey 3).
4. A member searches the register and opens an opportunity's page and its reviews (journey 4).
5. The chair approves the minutes through the check page (journey 5).
"""

import re

import pytest
from django.utils import timezone

from meetings.models import Meeting, MeetingInvitation
from opportunities.models import Referral, Status
from tests.e2e.journeys import keyboard_sign_in, press, tab_to, type_into
from tests.opportunities.helpers import referral_for
from tests.two_factor import authenticator_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_replies_to_an_invitation_by_keyboard(live_server, page, published, bob):
    base = live_server.url
    keyboard_sign_in(page, base, "bob@fire.example")
    page.goto(base + published.get_absolute_url())
    press(page, "Reply to the invitation")
    tab_to(page, "Attending")
    page.keyboard.press("Space")
    press(page, "Send my reply")
    page.get_by_text("your reply is “Attending”").wait_for()
    assert MeetingInvitation.objects.get(meeting=published, person=bob).reply == "attending"
    assert page.console_problems == []


def test_the_secretariat_sends_a_recommendation_through_its_check_page_by_keyboard(
    live_server, page, alice, assessed, record, police, fire
):
    recommendation = record(assessed, [police, fire])
    authenticator_of(alice)
    base = live_server.url
    keyboard_sign_in(page, base, "alice@police.example")
    page.goto(base + assessed.get_absolute_url())
    press(page, "Send to the executives")
    page.get_by_role("heading", name="Check recommendation v1 before it is sent").wait_for()
    assert not Referral.objects.filter(sent_at__isnull=False).exists()
    press(page, "Send to the executives")
    page.get_by_text("has been sent to the executives").wait_for()
    assert recommendation.referrals.filter(sent_at__isnull=False).count() == 2
    assert page.console_problems == []


def test_an_executive_records_a_decision_checks_and_changes_it_by_keyboard(
    live_server, page, referred, fire, erin
):
    authenticator_of(erin)
    referral = referral_for(referred, fire)
    base = live_server.url
    keyboard_sign_in(page, base, "erin@fire.example")
    press(page, "Referrals to decide")
    press(page, f"{referred.opportunity.reference} {referred.opportunity.title}")
    # Into the group of decisions: the first is focused; the arrow keys choose within it.
    tab_to(page, "Approved")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # approved with conditions
    type_into(page, "Decision reference", "FRA/2026/2")
    type_into(page, "Conditions or notes", "A joint review at six months.")
    # The date of the decision as day, month and year boxes, one Tab apart.
    today = timezone.localdate()
    tab_to(page, "Day")
    page.keyboard.type(str(today.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(today.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(today.year))
    press(page, "Continue")
    page.get_by_role(
        "heading", name="Check the decision of Fire and Rescue Authority before it is recorded"
    ).wait_for()
    assert "Approved with conditions" in page.content()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    # A mistake in the reference: its Change link opens the form as it was filled in.
    press(page, "Change decision reference")
    assert page.locator("#id_reference").input_value() == "FRA/2026/2"
    type_into(page, "Decision reference", "FRA/2026/3", backwards=True)
    press(page, "Continue")
    page.get_by_text("FRA/2026/3").wait_for()
    # Back up past the Change links with Shift+Tab, then on to the button.
    tab_to(page, "Change decision", backwards=True, exact=False)
    press(page, "Record the decision")
    page.get_by_text("is recorded").wait_for()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED_WITH_CONDITIONS
    assert referral.decision_reference == "FRA/2026/3"
    assert page.console_problems == []


def test_a_member_searches_and_reads_an_opportunity_by_keyboard(
    live_server, page, bob, make_opportunity
):
    opportunity = make_opportunity(title="Joint arson reduction taskforce")
    base = live_server.url
    keyboard_sign_in(page, base, "bob@fire.example")
    type_into(page, "Search the portal", "arson")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=arson"))
    press(page, f"{opportunity.reference} Joint arson reduction taskforce")
    page.wait_for_url(base + opportunity.get_absolute_url())
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Joint arson reduction taskforce" in heading
    assert opportunity.status == Status.PROPOSED
    assert page.console_problems == []


def test_the_chair_approves_the_minutes_through_the_check_page_by_keyboard(
    live_server, page, held, dave
):
    item = held.items.get()
    item.minutes = "Agreed to share the depot."
    item.save()
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_DRAFTED)
    authenticator_of(dave)
    base = live_server.url
    keyboard_sign_in(page, base, "dave@police.example")
    page.goto(base + held.get_absolute_url())
    press(page, "Approve the minutes")
    page.get_by_role("heading", name=re.compile("^Check before you approve the minutes")).wait_for()
    assert Meeting.objects.get(pk=held.pk).status == Meeting.Status.MINUTES_DRAFTED
    press(page, "Approve the minutes")
    page.get_by_text("The minutes are approved").wait_for()
    assert Meeting.objects.get(pk=held.pk).status == Meeting.Status.MINUTES_APPROVED
    assert page.console_problems == []

"""The clerk's meeting in Chromium, from the published agenda to the public minutes: the
secretariat records apologies and a named substitute on members' behalf, invites a guest by
e-mail and admits them to the one exempt item; the meeting is held; a resolution to recommend
is voted with a member recused by a disqualifying declaration; the minutes are drafted, the
chair approves them on their check page with a fresh second factor, and the public page shows
the Part 1 minutes with the exempt item numbered, by its Schedule 12A paragraph only."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from boards.models import User
from meetings.models import (
    DeclarationOfInterest,
    ExemptItemAdmission,
    ExemptParagraph,
    GuestAccount,
    Meeting,
    MeetingInvitation,
    Resolution,
)
from opportunities.models import Recommendation
from tests.e2e.journeys import second_factor_if_asked, sign_in
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
Reply = MeetingInvitation.Reply


@pytest.fixture
def draft(board, alice, dave, bob, owen, frank, assessed):
    """The meeting in draft with its agenda: the opportunity under assessment, then an exempt
    item (paragraph 3, financial)."""
    start = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0)
    meeting = MeetingFactory(
        board=board,
        created_by=alice,
        title="Winter meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    AgendaItemFactory(
        meeting=meeting, position=1, title="Shared fire and police station", opportunity=assessed
    )
    AgendaItemFactory(
        meeting=meeting,
        position=2,
        title="Depot valuation",
        confidential=True,
        exempt_paragraph=ExemptParagraph.FINANCIAL,
    )
    return meeting


def record_reply(page, person, reply, **fields):
    page.get_by_role("link", name=f"Record a reply for {person}").click()
    page.get_by_label(reply, exact=True).check()
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Record the reply").click()
    page.get_by_text(f"{person}'s reply is recorded").wait_for()


def test_the_clerk_runs_a_meeting_to_its_public_minutes(
    live_server, browser, page, draft, board, alice, bob, dave, owen, frank
):
    base = live_server.url
    meeting_url = base + draft.get_absolute_url()
    station, depot = draft.items.order_by("position")

    # The secretariat schedules; the chair signs the agenda off; the papers are published.
    sign_in(page, base, alice.email)
    page.goto(meeting_url)
    page.get_by_role("button", name="Schedule and send invitations").click()
    page.get_by_text("The meeting is scheduled").wait_for()
    chair_context = browser.new_context()
    chair = chair_context.new_page()
    sign_in(chair, base, dave.email)
    chair.goto(meeting_url)
    chair.get_by_role("button", name="Sign the agenda off").click()
    chair.get_by_text("You have signed the agenda off").wait_for()
    page.reload()
    page.get_by_role("button", name="Publish the papers").click()
    page.get_by_text("The papers are published").wait_for()

    # Replies told by phone and e-mail: Frank's apologies, and Bob's body sends Jo Hale.
    record_reply(page, "Frank Ford", "Apologies")
    record_reply(
        page,
        "Bob Baker",
        "Sending a substitute",
        **{
            "Substitute's name and role": "Jo Hale",
            "Substitute's e-mail address": "jo.hale@fire.example",
        },
    )
    assert "recorded by Alice Archer" in page.locator("main").inner_text()
    replies = dict(draft.invitations.values_list("person__full_name", "reply"))
    assert (replies["Frank Ford"], replies["Bob Baker"]) == (Reply.APOLOGIES, Reply.SUBSTITUTE)
    substitute = User.objects.get(email="jo.hale@fire.example")
    assert GuestAccount.objects.get(person=substitute).meeting == draft

    # A guest invited by e-mail, admitted to the exempt item alone.
    page.get_by_role("link", name="Invite a guest by e-mail").click()
    page.get_by_label("Full name").fill("Gwen Green")
    page.get_by_label("E-mail address").fill("gwen@consultants.example")
    page.get_by_role("button", name="Invite").click()
    page.get_by_text("Gwen Green is invited to this meeting as a guest.").wait_for()
    gwen = User.objects.get(email="gwen@consultants.example")
    page.get_by_role("link", name="Admissions to exempt items").click()
    page.get_by_label("Exempt item").select_option(value=str(depot.pk))
    page.get_by_label("Person to admit").select_option(value=str(gwen.pk))
    page.get_by_role("button", name="Admit").click()
    page.get_by_role("button", name="Withdraw Gwen Green's admission").wait_for()
    page.goto(meeting_url)
    assert ExemptItemAdmission.objects.in_force().get().person == gwen
    assert not ExemptItemAdmission.objects.filter(person=substitute).exists()

    # The meeting is held.
    with time_machine.travel(draft.starts_at + timedelta(minutes=30), tick=True):
        sign_in(page, base, alice.email)
        page.goto(meeting_url)
        page.get_by_role("button", name="Mark as held").click()
        page.get_by_text("The meeting is marked as held").wait_for()
        page.get_by_role("link", name="Record attendance").click()
        attendance = {
            "Alice Archer": "Present",
            "Dave Dunn": "Present",
            "Owen Oakes": "Present",
            "Bob Baker": "Substitute attended",
            "Frank Ford": "Apologies",
            "Gwen Green": "Present",
            "Jo Hale": "Present",
        }
        for person, value in attendance.items():
            page.get_by_label(person, exact=True).select_option(label=value)
        page.get_by_role("button", name="Save attendance").click()
        page.wait_for_url(meeting_url)

        # Owen declares a disqualifying interest in the opportunity.
        page.goto(f"{meeting_url}declarations/add/")
        page.get_by_label("Who declares").select_option(value=str(owen.pk))
        page.get_by_label("Agenda item").select_option(value=str(station.pk))
        page.get_by_label("Nature of the interest").fill("Owns the station's site.")
        page.get_by_label("Disqualifying: the member takes no part in this item").check()
        page.get_by_role("button", name="Record the declaration").click()
        page.wait_for_url(meeting_url)
        assert DeclarationOfInterest.objects.get(person=owen).disqualifying

        # The chair puts a resolution to recommend; Owen is not among those who vote.
        page.get_by_role(
            "link", name="Record a resolution at “Shared fire and police station”"
        ).click()
        assert page.get_by_label("Vote of Dave Dunn").count() == 1
        assert page.get_by_label("Vote of Owen Oakes").count() == 0
        page.get_by_label("The resolution").fill(
            "To recommend the shared station to both executives."
        )
        page.get_by_label("Kind of resolution").select_option(
            label="To recommend the opportunity to the executives"
        )
        page.get_by_label("Recorded vote (each member's vote)").check()
        page.get_by_label("Vote of Dave Dunn").select_option(label="For")
        due = timezone.localdate() + timedelta(days=42)
        page.get_by_label("Day").fill(str(due.day))
        page.get_by_label("Month").fill(str(due.month))
        page.get_by_label("Year").fill(str(due.year))
        page.get_by_role("button", name="Record the resolution").click()
        page.wait_for_url(meeting_url)
        resolution = Resolution.objects.get()
        assert resolution.outcome == Resolution.Outcome.CARRIED
        assert not resolution.votes.filter(person=owen).exists()
        assert Recommendation.objects.get().wording == resolution.wording

        # The minutes are drafted.
        for item, text in [
            (station, "The board discussed the shared station at Southam."),
            (depot, "The board noted the depot's valuation of four million pounds."),
        ]:
            page.get_by_role("link", name=f"Write the minutes of “{item.title}”").click()
            page.get_by_label("Minutes of this item").fill(text)
            page.get_by_role("button", name="Save the minutes").click()
            page.wait_for_url(meeting_url)
        page.get_by_role("button", name="Minutes are drafted").click()
        page.get_by_text("The minutes are marked as drafted").wait_for()
        sign_in(chair, base, dave.email)

    # Twenty minutes on, the chair's second factor is no longer fresh: approving asks again,
    # then the check page's own button approves.
    with time_machine.travel(draft.starts_at + timedelta(minutes=55), tick=True):
        chair.goto(meeting_url)
        chair.get_by_role("button", name="Approve the minutes").click()
        chair.wait_for_url("**/two-factor/verify/**")
        second_factor_if_asked(chair, dave.email)
        chair.wait_for_url(meeting_url)
        chair.get_by_role("button", name="Approve the minutes").click()
        chair.get_by_role("heading", level=1).filter(has_text="Check").wait_for()
        draft.refresh_from_db()
        assert draft.status == Meeting.Status.MINUTES_DRAFTED
        chair.get_by_role("button", name="Approve the minutes").click()
        chair.get_by_text("The minutes are approved and locked").wait_for()
        draft.refresh_from_db()
        assert draft.status == Meeting.Status.MINUTES_APPROVED

        # The board's public pages are switched on; a visitor reads the Part 1 minutes.
        page.goto(f"{base}/boards/{board.slug}/public-pages/")
        page.get_by_label("Publish the board's public pages").check()
        page.get_by_role("button", name="Save").click()
        visitor_context = browser.new_context()
        visitor = visitor_context.new_page()
        visitor.goto(f"{base}/public/{board.slug}/meetings/")
        visitor.get_by_role("link", name="Winter meeting").click()
        visitor.get_by_role("heading", name="Minutes").wait_for()
        main = visitor.locator("main").inner_text()
        assert "Item 1: Shared fire and police station" in main
        assert "The board discussed the shared station at Southam." in main
        assert "To recommend the shared station to both executives." in main
        assert "Item 2: exempt — paragraph 3" in main
        assert "Depot valuation" not in main
        assert "four million" not in main
        visitor_context.close()
    chair_context.close()
    assert page.console_problems == []

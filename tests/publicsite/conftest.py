"""The board's business at every stage, with secrets that must never reach a public page.

Every confidential, draft or unpublished thing carries a word from ``SECRETS`` in its title or
text, so a test can look for all of them on any page at once.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from boards.models import Board
from meetings.models import Meeting
from opportunities.models import Opportunity, Recommendation, Referral, Status
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PaperFactory,
)

SECRETS = [
    "Zephyr",  # a confidential item's title (approved minutes)
    "Quokka",  # a confidential item's minutes (approved minutes)
    "Papaya",  # a confidential item's paper
    "Marmot",  # draft minutes not yet approved
    "Narwhal",  # the agenda of a meeting whose papers are not published
    "Ocelot",  # a draft meeting
    "Wombat",  # another board's business
    "Yak",  # a proposed opportunity
    "Ibex",  # an opportunity under assessment
    "Lynx",  # an opportunity awaiting decisions
    "Gecko",  # an opportunity not approved
    "Walrus",  # a withdrawn opportunity
    "Tapir",  # a closed opportunity that had been refused
    "Heron",  # internal notes and the recommendation wording of a decision
    "87654",  # an approved opportunity's estimated cost
    "87,654",
    "secret-room",  # a meeting's online link
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def leaks(body: str) -> list[str]:
    return [word for word in SECRETS if word in body] + EMAIL.findall(body)


@pytest.fixture
def public_board(board):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    board.refresh_from_db()
    return board


def days(n: int):
    return timezone.now() + timedelta(days=n)


@pytest.fixture
def approved_meeting(public_board, alice, dave):
    """Held last month; minutes approved; one open item, one confidential item with a paper."""
    meeting = MeetingFactory(
        board=public_board,
        created_by=alice,
        title="Autumn meeting",
        starts_at=days(-30),
        ends_at=days(-30) + timedelta(hours=2),
        status=Meeting.Status.MINUTES_APPROVED,
        minutes_approved_at=days(-5),
        minutes_approved_by=dave,
        online_link="https://meet.example.org/secret-room",
    )
    AgendaItemFactory(
        meeting=meeting,
        position=1,
        title="Shared estates review",
        minutes="The board agreed to review the shared estate in Rugby.",
    )
    secret = AgendaItemFactory(
        meeting=meeting,
        position=2,
        title="Zephyr depot sale",
        confidential=True,
        minutes="Quokka bid accepted in private session.",
    )
    PaperFactory(meeting=meeting, agenda_item=secret, title="Papaya valuation")
    return meeting


@pytest.fixture
def drafted_meeting(public_board, alice):
    """Held last week; minutes drafted but not approved."""
    meeting = MeetingFactory(
        board=public_board,
        created_by=alice,
        title="Summer meeting",
        starts_at=days(-7),
        ends_at=days(-7) + timedelta(hours=2),
        status=Meeting.Status.MINUTES_DRAFTED,
    )
    AgendaItemFactory(
        meeting=meeting, position=1, title="Fleet sharing", minutes="Marmot draft wording."
    )
    return meeting


@pytest.fixture
def scheduled_meeting(public_board, alice):
    """Next month, scheduled, its agenda being built (papers not published)."""
    meeting = MeetingFactory(
        board=public_board,
        created_by=alice,
        title="Winter meeting",
        starts_at=days(30),
        ends_at=days(30) + timedelta(hours=2),
        status=Meeting.Status.SCHEDULED,
    )
    AgendaItemFactory(meeting=meeting, title="Narwhal control room")
    return meeting


@pytest.fixture
def published_meeting(public_board, alice):
    """Next fortnight, papers published: the open agenda is public, the confidential item not."""
    meeting = MeetingFactory(
        board=public_board,
        created_by=alice,
        title="Spring meeting",
        starts_at=days(14),
        ends_at=days(14) + timedelta(hours=2),
        status=Meeting.Status.PAPERS_PUBLISHED,
    )
    AgendaItemFactory(meeting=meeting, position=1, title="Joint training centre")
    AgendaItemFactory(
        meeting=meeting, position=2, title="Zephyr supplier pricing", confidential=True
    )
    return meeting


@pytest.fixture
def draft_meeting(public_board, alice):
    meeting = MeetingFactory(
        board=public_board, created_by=alice, title="Ocelot meeting", starts_at=days(60)
    )
    AgendaItemFactory(meeting=meeting, title="Ocelot item")
    return meeting


@pytest.fixture
def cancelled_meeting(public_board, alice):
    meeting = MeetingFactory(
        board=public_board,
        created_by=alice,
        title="Extraordinary meeting",
        starts_at=days(3),
        status=Meeting.Status.CANCELLED,
        cancelled_reason="The chair is unwell; the business moves to the next meeting.",
    )
    AgendaItemFactory(meeting=meeting, title="Narwhal urgent item")
    return meeting


@pytest.fixture
def other_board_business(charlie, outsider_org):
    other = Board.objects.get(slug="elsewhere")
    Board.objects.filter(pk=other.pk).update(public_pages_enabled=True)
    meeting = MeetingFactory(
        board=other,
        created_by=charlie,
        title="Wombat meeting",
        starts_at=days(-40),
        status=Meeting.Status.MINUTES_APPROVED,
    )
    AgendaItemFactory(meeting=meeting, title="Wombat item", minutes="Wombat minutes.")
    Opportunity.objects.create(
        board=other,
        title="Wombat collaboration",
        summary="Wombat summary.",
        theme="fleet",
        lead_organisation=outsider_org,
        proposed_by=charlie,
        status=Status.APPROVED,
    )
    return other


@pytest.fixture
def decided(alice):
    """``decided(opportunity, status, {body: referral status})``: the opportunity at that status
    with a sent recommendation decided so by each body."""

    def make(opportunity: Opportunity, status: str, decisions: dict) -> Opportunity:
        Opportunity.objects.filter(pk=opportunity.pk).update(status=status)
        today = timezone.localdate()
        recommendation = Recommendation.objects.create(
            opportunity=opportunity,
            version=1,
            wording="Heron wording of the recommendation.",
            agreed_on=today - timedelta(days=60),
            decision_due_on=today - timedelta(days=10),
            recorded_by=alice,
            sent_at=timezone.now() - timedelta(days=59),
        )
        for organisation, outcome in decisions.items():
            decided = outcome != Referral.Status.PENDING
            Referral.objects.create(
                recommendation=recommendation,
                organisation=organisation,
                status=outcome,
                sent_at=recommendation.sent_at,
                due_on=recommendation.decision_due_on,
                decided_at=timezone.now() - timedelta(days=20) if decided else None,
                executive_body=organisation.executive_body if decided else "",
                decision_reference=f"{organisation.short_name}/DEC/{opportunity.pk}"
                if decided
                else "",
                conditions="Subject to a joint risk assessment."
                if outcome == Referral.Status.APPROVED_WITH_CONDITIONS
                else "",
                notes="Heron condition: internal note." if decided else "",
            )
        opportunity.refresh_from_db()
        return opportunity

    return make


@pytest.fixture
def register(make_opportunity, decided, police, fire):
    """One opportunity in each status, each with a telling title."""
    approved = Referral.Status.APPROVED
    shown = {
        Status.APPROVED: "Shared station at Southam",
        Status.IN_DELIVERY: "Joint control room",
        Status.IMPLEMENTED: "Shared fleet workshop",
    }
    made = {}
    for status, title in shown.items():
        made[status] = decided(
            make_opportunity(title=title, risks="Heron risk", estimated_cost=87654),
            status,
            {police: approved, fire: Referral.Status.APPROVED_WITH_CONDITIONS},
        )
    made["closed_approved"] = decided(
        make_opportunity(title="Arson reduction campaign"),
        Status.CLOSED,
        {police: approved, fire: approved},
    )
    made["closed_refused"] = decided(
        make_opportunity(title="Tapir scheme"),
        Status.CLOSED,
        {police: approved, fire: Referral.Status.DECLINED},
    )
    made[Status.NOT_APPROVED] = decided(
        make_opportunity(title="Gecko scheme"),
        Status.NOT_APPROVED,
        {police: approved, fire: Referral.Status.DECLINED},
    )
    made[Status.AWAITING_DECISIONS] = decided(
        make_opportunity(title="Lynx scheme"),
        Status.AWAITING_DECISIONS,
        {police: approved, fire: Referral.Status.PENDING},
    )
    for status, word in [
        (Status.PROPOSED, "Yak"),
        (Status.UNDER_ASSESSMENT, "Ibex"),
        (Status.WITHDRAWN, "Walrus"),
        (Status.ON_HOLD, "Ibex"),
        (Status.RECOMMENDED, "Lynx"),
    ]:
        opportunity = make_opportunity(title=f"{word} {status} scheme")
        Opportunity.objects.filter(pk=opportunity.pk).update(status=status)
        made[status] = opportunity
    return made


@pytest.fixture
def everything(
    approved_meeting,
    drafted_meeting,
    scheduled_meeting,
    published_meeting,
    draft_meeting,
    cancelled_meeting,
    other_board_business,
    register,
    bob,
):
    return {
        "approved": approved_meeting,
        "drafted": drafted_meeting,
        "scheduled": scheduled_meeting,
        "published": published_meeting,
        "draft": draft_meeting,
        "cancelled": cancelled_meeting,
        "other_board": other_board_business,
    }

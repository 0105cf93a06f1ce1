"""Demonstration decision calendars and forward plan: a decision forum for each of the four
bodies with its coming dates, every referral awaiting a decision planned at one of its body's
meetings (the council's as key decisions, one taken in private), and one published version.
Seeding twice gives the same data: forums, dates and entries already present are kept."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from boards.models import Board, Organisation, User
from forwardplan import services
from forwardplan.models import DecisionForum, ForumMeeting, PlanEntry, PublishedPlan
from meetings.models import ExemptParagraph
from opportunities.models import Referral

from .boards import BOARD_SLUG
from .opportunities import SECRETARIAT

# (body, forum, decision-maker, notice days, first meeting in days from today)
FORUMS = [
    ("WCC", "Cabinet", "The Leader and Cabinet of Warwickshire County Council", 28, 9),
    (
        "OPCC",
        "Police and Crime Commissioner's decision meeting",
        "Police and Crime Commissioner",
        14,
        16,
    ),
    ("Police", "Chief Constable's management board", "Chief Constable", 14, 12),
    (
        "WFRS",
        "Fire and Rescue Service leadership board",
        "Chief Fire Officer, with the Cabinet portfolio holder for fire and rescue",
        21,
        19,
    ),
]
MEETINGS_PER_FORUM = 5
EVERY_DAYS = 28


@transaction.atomic
def seed() -> None:
    board = Board.objects.get(slug=BOARD_SLUG)
    secretariat = User.objects.get(email=SECRETARIAT)
    today = timezone.localdate()
    for short_name, name, decision_maker, notice, first in FORUMS:
        forum, _ = DecisionForum.objects.get_or_create(
            organisation=Organisation.objects.get(short_name=short_name),
            name=name,
            defaults={"decision_maker": decision_maker, "notice_days": notice},
        )
        if not forum.meetings.exists():
            for number in range(MEETINGS_PER_FORUM):
                services.forum_meeting_add(
                    forum=forum,
                    actor=secretariat,
                    on=today + timedelta(days=first + number * EVERY_DAYS),
                    location="Shire Hall, Warwick" if short_name == "WCC" else "",
                )
    _plan(board, secretariat)
    if not PublishedPlan.objects.filter(board=board).exists():
        services.plan_publish(board=board, actor=secretariat)


def _plan(board: Board, secretariat: User) -> None:
    awaiting = (
        Referral.objects.awaiting_decision()
        .filter(recommendation__opportunity__board=board, plan_entry__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    today = timezone.localdate()
    private_done = PlanEntry.objects.filter(private=True).exists()
    for index, referral in enumerate(awaiting):
        meetings = ForumMeeting.objects.scheduled().filter(
            forum__organisation=referral.organisation, date__gt=today
        )
        council = referral.organisation.short_name == "WCC"
        # The council's decisions are key decisions, at a meeting with 28 clear days' notice
        # (the first one, for the demonstration's warning, too soon).
        meeting = meetings.filter(date__gte=today + timedelta(days=30 if index else 0)).first()
        if meeting is None:
            continue
        private = not private_done and referral.organisation.short_name == "Police"
        services.plan_entry_save(
            referral=referral,
            actor=secretariat,
            forum_meeting=meeting,
            key_decision=council,
            private=private,
            exempt_paragraph=ExemptParagraph.FINANCIAL if private else None,
        )
        private_done = private_done or private

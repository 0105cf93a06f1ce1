"""Reading the forward plan: the window it covers, its entries grouped by month and body, the
referrals not planned yet, and an entry as a published version keeps it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from boards.models import Board, Organisation, User
from boards.permissions import Person, boards_of, executive_organisation_ids, roles_on
from opportunities.models import Referral, Status

from .models import (
    CalendarChange,
    DecisionForum,
    ForumMeeting,
    PlanEntry,
    PlanEntryQuerySet,
    months_ahead,
)

PLAN_MONTHS = 4
# Opportunities whose referrals no longer await a plan.
SETTLED = (Status.WITHDRAWN, Status.CLOSED, Status.NOT_APPROVED)


def plan_window(today: date) -> tuple[date, date]:
    """Today to the end of the fourth calendar month (this one included)."""
    return today, months_ahead(today, PLAN_MONTHS)


def plan_entries(
    board: Board,
    first: date,
    last: date,
    organisation: Organisation | None = None,
    bodies: Iterable[int] | None = None,
) -> PlanEntryQuerySet:
    """The board's entries in the window: of one body (``organisation``), of the bodies whose
    ids are ``bodies`` (an executive's own), or all of them."""
    entries = PlanEntry.objects.of_board(board).between(first, last).with_related()
    if organisation is not None:
        entries = entries.filter(referral__organisation=organisation)
    if bodies is not None:
        entries = entries.filter(referral__organisation_id__in=list(bodies))
    return entries.order_by("forum_meeting__date", "referral__organisation__name", "pk")


def bodies_shown_to(person: Person, board: Board) -> frozenset[int] | None:
    """Whose entries of the board's plan the person reads: every body's (None) with a role on
    the board; an executive without one, only their own bodies' (as in their feed)."""
    if roles_on(person, board):
        return None
    return executive_organisation_ids(person)


@dataclass
class BodyGroup:
    organisation: Organisation
    entries: list[PlanEntry] = field(default_factory=list)


@dataclass
class MonthGroup:
    month: date
    bodies: list[BodyGroup] = field(default_factory=list)


def grouped_by_month_and_body(entries: Iterable[PlanEntry], today: date) -> list[MonthGroup]:
    """The entries by month, then by body (in name order), each with its warnings."""
    months: dict[date, dict[int, BodyGroup]] = {}
    for entry in entries:
        entry.warning_list = entry.warnings(today)
        month = entry.forum_meeting.date.replace(day=1)
        organisation = entry.referral.organisation
        bodies = months.setdefault(month, {})
        bodies.setdefault(organisation.pk, BodyGroup(organisation)).entries.append(entry)
    return [
        MonthGroup(month, sorted(bodies.values(), key=lambda group: group.organisation.name))
        for month, bodies in sorted(months.items())
    ]


def unplanned_referrals(
    board: Board, organisation: Organisation | None = None, bodies: Iterable[int] | None = None
) -> QuerySet[Referral]:
    """Undecided referrals of the recommendations in force (sent or not yet sent) that no forum
    meeting has been chosen for."""
    referrals = (
        Referral.objects.filter(
            recommendation__opportunity__board=board,
            recommendation__superseded_at__isnull=True,
            status__in=Referral.DECIDABLE,
            plan_entry__isnull=True,
        )
        .exclude(recommendation__opportunity__status__in=SETTLED)
        .select_related("organisation", "recommendation__opportunity")
        .order_by("due_on", "organisation__name", "pk")
    )
    if organisation is not None:
        referrals = referrals.filter(organisation=organisation)
    if bodies is not None:
        referrals = referrals.filter(organisation_id__in=list(bodies))
    return referrals


def forums_of(organisations: Iterable[Organisation]) -> QuerySet[DecisionForum]:
    return DecisionForum.objects.filter(organisation__in=list(organisations)).select_related(
        "organisation"
    )


def upcoming_meetings(organisation: Organisation, today: date) -> QuerySet[ForumMeeting]:
    """The body's scheduled forum meetings from today, for choosing where a decision is taken."""
    return (
        ForumMeeting.objects.scheduled()
        .filter(forum__organisation=organisation, date__gte=today)
        .select_related("forum")
        .order_by("date", "time", "pk")
    )


def recent_changes(organisations: Iterable[Organisation], limit: int = 20) -> list[CalendarChange]:
    return list(
        CalendarChange.objects.filter(forum__organisation__in=list(organisations))
        .select_related("forum__organisation", "meeting")
        .order_by("-found_at", "-pk")[:limit]
    )


def entry_as_published(entry: PlanEntry) -> dict[str, Any]:
    """What a published version keeps of an entry: enough to show it as it was, whatever
    changes after."""
    referral = entry.referral
    opportunity = referral.recommendation.opportunity
    meeting = entry.forum_meeting
    return {
        "entry": entry.pk,
        "referral": referral.pk,
        "opportunity": opportunity.pk,
        "reference": opportunity.reference,
        "title": opportunity.title,
        "wording": referral.recommendation.wording,
        "organisation": referral.organisation.name,
        "organisation_id": referral.organisation_id,
        "forum": meeting.forum.name,
        "decision_maker": meeting.forum.decision_maker,
        "meeting_on": meeting.date.isoformat(),
        "key_decision": entry.key_decision,
        "private": entry.private,
        "exempt_paragraph": entry.exempt_paragraph,
    }


def feed_entries(person: User, today: date) -> list[PlanEntry]:
    """The plan entries a person's feed shows, as their pages do: every entry of the boards they
    hold a role on, and their own bodies' entries (for an executive), for the plan's months."""
    first, last = plan_window(today)
    board_ids = [board.pk for board in boards_of(person)]
    bodies = executive_organisation_ids(person)
    if not board_ids and not bodies:
        return []
    shown = Q(referral__recommendation__opportunity__board_id__in=board_ids) | Q(
        referral__organisation_id__in=bodies
    )
    return list(
        PlanEntry.objects.filter(shown, referral__recommendation__superseded_at__isnull=True)
        .between(first, last)
        .with_related()
        .order_by("forum_meeting__date", "pk")
    )


@dataclass
class PublishedRow:
    meeting_on: date
    values: dict[str, Any]


def published_entries_shown(
    entries: list[dict[str, Any]], bodies: Iterable[int] | None
) -> list[dict[str, Any]]:
    """A published version's entries a person reads, by the live plan's rule
    (``bodies_shown_to``): all of them (``bodies`` None), or only those of the bodies whose ids
    are ``bodies`` (an executive without a role on the board)."""
    if bodies is None:
        return entries
    shown = set(bodies)
    return [values for values in entries if values.get("organisation_id") in shown]


def published_rows(
    entries: list[dict[str, Any]], bodies: Iterable[int] | None = None
) -> list[PublishedRow]:
    """A published version's entries (those of ``bodies`` only, when given: see
    ``published_entries_shown``), by meeting date, with the dates read back."""
    rows = [
        PublishedRow(date.fromisoformat(values["meeting_on"]), values)
        for values in published_entries_shown(entries, bodies)
    ]
    return sorted(rows, key=lambda row: (row.meeting_on, row.values["organisation"]))

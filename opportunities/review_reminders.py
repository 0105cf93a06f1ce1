"""Reminders of reviews due soon and overdue, sent once per review date.

The opportunity's owner is reminded, copied to the board's secretariat, a fortnight before the
next review and again the day after it passes. Each reminder's event key names the opportunity
and its review date, so the hourly run can repeat without anyone hearing twice, while a moved
review date is a new event, reminded afresh. The lookups are batched: one query for the
opportunities, one for the secretariats of their boards and one for the reminders already
written; only the opportunities still owed a reminder are written to.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from boards.models import User
from boards.selectors import secretariats_of
from core.arrays import among_texts
from notifications.models import Notification
from notifications.services import notification_create_many

from .models import Opportunity

DUE_SOON_DAYS = 14


@transaction.atomic
def review_reminders_send(*, today: date | None = None) -> int:
    """Remind of reviews due within a fortnight, and of overdue ones (a date to revisit an
    opportunity not pursued counts as a review); returns how many opportunities were owed a
    reminder this run."""
    today = today or timezone.localdate()
    due = Opportunity.objects.review_due_within(
        DUE_SOON_DAYS, on=today
    ) | Opportunity.objects.revisit_due_within(DUE_SOON_DAYS, on=today)
    opportunities = list(
        due.select_related("board", "owner")
        .only(
            "title",
            "next_review_on",
            "revisit_on",
            "not_pursued_on",
            "board__name",
            "owner__email",
            "owner__is_active",
        )
        .order_by("next_review_on", "revisit_on", "pk")
    )
    secretariats = secretariats_of(opportunity.board_id for opportunity in opportunities)
    reminders = [
        (opportunity, _kind(opportunity, today), _recipients(opportunity, secretariats))
        for opportunity in opportunities
    ]
    already = _already_reminded([(_key(o, kind), people) for o, kind, people in reminders])
    owed = 0
    for opportunity, kind, people in reminders:
        waiting = [p for p in people if (_key(opportunity, kind), p.pk) not in already]
        if waiting:
            _remind(opportunity, kind, waiting)
            owed += 1
    return owed


def _review_date(opportunity: Opportunity) -> date:
    """The next review date, or the date to revisit one not pursued (the query keeps only
    opportunities that have one)."""
    when = opportunity.next_review_on or opportunity.revisit_on
    if when is None:
        raise ValueError(f"{opportunity.reference} has no next review date.")
    return when


def _kind(opportunity: Opportunity, today: date) -> str:
    if _review_date(opportunity) < today:
        return Notification.Kind.REVIEW_OVERDUE
    return Notification.Kind.REVIEW_DUE


def _key(opportunity: Opportunity, kind: str) -> str:
    return f"{kind}:{opportunity.pk}:{_review_date(opportunity).isoformat()}"


def _recipients(opportunity: Opportunity, secretariats: dict[int, set[User]]) -> list[User]:
    people = {person.pk: person for person in secretariats.get(opportunity.board_id, ())}
    if opportunity.owner is not None and opportunity.owner.is_active:
        people.setdefault(opportunity.owner.pk, opportunity.owner)
    return list(people.values())


def _already_reminded(keyed: list[tuple[str, list[User]]]) -> set[tuple[str, int]]:
    keys = [key for key, _ in keyed]
    return set(
        Notification.objects.filter(among_texts("event_key", keys)).values_list(
            "event_key", "recipient_id"
        )
    )


def _remind(opportunity: Opportunity, kind: str, recipients: list[User]) -> None:
    overdue = kind == Notification.Kind.REVIEW_OVERDUE
    when = f"{_review_date(opportunity):%-d %B %Y}"
    what = "the review" if opportunity.next_review_on else "the date to revisit"
    notification_create_many(
        board=opportunity.board,
        recipients=recipients,
        kind=kind,
        event_key=_key(opportunity, kind),
        subject=f"{opportunity.reference}: {what} of “{opportunity.title}” "
        + (f"was due on {when}" if overdue else f"is due by {when}"),
        link=opportunity.get_absolute_url(),
        payload=opportunity.message_payload(due_on=when, overdue=overdue),
    )

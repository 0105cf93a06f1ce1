"""Reminders of decisions due soon and overdue, sent once per due date.

Each reminder is a notification whose event key names the referral and its due date, so the
daily run can be repeated (or run twice) without anyone hearing twice; a referral given a new
due date by a revised recommendation is a new referral, reminded afresh.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from boards.models import BoardMembership
from notifications.models import Notification
from notifications.services import notification_create_many

from .models import Referral
from .services import board_people, executives_of

DUE_SOON_DAYS = 7


@transaction.atomic
def decision_reminders_send(*, today: date | None = None) -> int:
    """Remind each body's executives (copied to the board's secretariat) of decisions due within
    a week, and again once they are overdue; returns how many referrals were reminded of."""
    today = today or timezone.localdate()
    awaiting = Referral.objects.awaiting_decision().select_related(
        "organisation", "recommendation__opportunity__board"
    )
    reminded = 0
    for referral in awaiting.filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS)):
        overdue = referral.due_on < today
        _remind(referral, overdue=overdue)
        reminded += 1
    return reminded


def _remind(referral: Referral, *, overdue: bool) -> None:
    opportunity = referral.recommendation.opportunity
    kind = Notification.Kind.DECISION_OVERDUE if overdue else Notification.Kind.DECISION_DUE
    when = f"{referral.due_on:%-d %B %Y}"
    recipients = {
        *executives_of(referral.organisation),
        *board_people(opportunity.board, roles=[BoardMembership.Role.SECRETARIAT]),
    }
    notification_create_many(
        board=opportunity.board,
        recipients=recipients,
        kind=kind,
        event_key=f"{kind}:{referral.pk}:{referral.due_on.isoformat()}",
        subject=(
            f"{opportunity.reference}: the decision of {referral.organisation.executive_body} "
            + (f"was due on {when}" if overdue else f"is due by {when}")
        ),
        link=referral.get_absolute_url(),
        payload={
            "reference": opportunity.reference,
            "title": opportunity.title,
            "board": opportunity.board.name,
            "body": referral.organisation.name,
            "executive_body": referral.organisation.executive_body,
            "due_on": when,
            "overdue": overdue,
        },
    )

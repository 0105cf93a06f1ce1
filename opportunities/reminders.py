"""Reminders of decisions due soon and overdue, sent once per due date.

Each reminder is a notification whose event key names the referral and its due date, so the
daily run can be repeated (or run twice) without anyone hearing twice; a referral given a new
due date by a revised recommendation is a new referral, reminded afresh.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from boards.models import User
from boards.selectors import executives_by_organisation, secretariats_of
from notifications.models import Notification
from notifications.services import notification_create_many

from .models import Referral

DUE_SOON_DAYS = 7


@transaction.atomic
def decision_reminders_send(*, today: date | None = None) -> int:
    """Remind each body's executives (copied to the board's secretariat) of decisions due within
    a week, and again once they are overdue; returns how many referrals were reminded of."""
    today = today or timezone.localdate()
    awaiting = Referral.objects.awaiting_decision().select_related(
        "organisation", "recommendation__opportunity__board"
    )
    due = list(awaiting.filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS)))
    executives, secretariats = _people_to_remind(due)
    for referral in due:
        recipients = (
            executives[referral.organisation_id]
            | secretariats[referral.recommendation.opportunity.board_id]
        )
        _remind(referral, recipients=recipients, overdue=referral.due_on < today)
    return len(due)


def _people_to_remind(
    referrals: list[Referral],
) -> tuple[dict[int, set[User]], dict[int, set[User]]]:
    """Every body's executives and every board's secretariat for these referrals, in two
    queries whatever their number."""
    executives = executives_by_organisation(r.organisation_id for r in referrals)
    secretariats = secretariats_of(r.recommendation.opportunity.board_id for r in referrals)
    return executives, secretariats


def _remind(referral: Referral, *, recipients: set[User], overdue: bool) -> None:
    opportunity = referral.recommendation.opportunity
    kind = Notification.Kind.DECISION_OVERDUE if overdue else Notification.Kind.DECISION_DUE
    when = f"{referral.due_on:%-d %B %Y}"
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
        payload=opportunity.message_payload(
            referral=referral,
            executive_body=referral.organisation.executive_body,
            due_on=when,
            overdue=overdue,
        ),
    )

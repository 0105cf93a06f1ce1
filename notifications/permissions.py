"""Who may choose what about their notices.

An executive answers for their body's decisions on the board's recommendations: the notice that
a recommendation awaits their body, and the reminders that its decision is due or overdue, are
that one duty, and so is the notice that the secretariat recorded their body's decision on its
behalf, which they have a few days to dispute. They may have these at once or in the daily
digest, never only in the portal, where a referral could sit unseen past its due date. Everyone
else may silence any kind.
"""

from boards.models import Organisation
from boards.permissions import Person, is_executive, is_secretariat, register_rule

from .models import Delivery, Notification

EXECUTIVE_DUTY_KINDS = frozenset(
    {
        Notification.Kind.REFERRAL_SENT,
        Notification.Kind.DECISION_DUE,
        Notification.Kind.DECISION_OVERDUE,
        Notification.Kind.DECISION_ON_BEHALF,
    }
)
ALL_DELIVERIES = frozenset(Delivery.values)
BY_EMAIL = frozenset({Delivery.IMMEDIATE, Delivery.DIGEST})


def deliveries_allowed(person: Person, kind: str) -> frozenset[str]:
    """The ways this person may choose to hear of this kind of notice."""
    return _allowed(kind, is_executive=is_executive(person))


def effective_delivery(chosen: str, *, kind: str, is_executive: bool) -> str:
    """The delivery to apply: a choice the rules no longer allow (a portal-only choice made
    before the person became an executive) becomes the daily digest."""
    if chosen in _allowed(kind, is_executive=is_executive):
        return chosen
    return Delivery.DIGEST


def _allowed(kind: str, *, is_executive: bool) -> frozenset[str]:
    if is_executive and kind in EXECUTIVE_DUTY_KINDS:
        return BY_EMAIL
    return ALL_DELIVERIES


WEBHOOK_OF_EVERY_BOARD = (
    "Only the secretariat of every board {body} is a member of may change its webhook: it "
    "tells the body of each of those boards' referrals."
)


@register_rule("manage_webhook")
def can_manage_webhook(person: Person, organisation: Organisation) -> bool:
    """A body's webhook is told of every referral to it, whichever board made it: so it is set
    or switched off only by a person in the secretariat of each board the body is a member of
    (the secretariat of one board cannot point another board's referrals elsewhere)."""
    if not person.is_authenticated:
        return False
    boards = list(organisation.boards.all())
    return bool(boards) and all(is_secretariat(person, board) for board in boards)

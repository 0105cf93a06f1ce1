"""The daily digest: a person's notices waiting for it, in one email grouped by board and kind,
and the signed link that stops it without signing in."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from boards.models import User
from core.emails import send_templated_email
from core.exceptions import Refused

from .models import Notification

UNSUBSCRIBE_SALT = "notifications.digest-unsubscribe"
# An old digest's link keeps working for a season, then asks the person to sign in instead.
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
KIND_ORDER = {kind: n for n, kind in enumerate(Notification.Kind.values)}


class UnsubscribeLinkInvalid(Refused):
    """The link was altered, has expired, or names nobody who can still sign in."""


def digest_cutoff(now: datetime) -> datetime:
    """The latest digest time at or before ``now`` (the day's DIGEST_HOUR, local time).

    A digest holds the notices written before its cut-off, so however often the task runs in a
    day it finds the same notices, and once they are sent, nothing more until tomorrow's.
    """
    local = timezone.localtime(now)
    cutoff = local.replace(
        hour=settings.NOTIFICATION_DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    if cutoff > local:
        cutoff -= timedelta(days=1)  # wall-clock arithmetic: still the digest hour across DST
    return cutoff


def unsubscribe_token(person: User) -> str:
    return signing.dumps(person.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(person: User) -> str:
    return settings.SITE_URL + reverse(
        "digest_unsubscribe", kwargs={"token": unsubscribe_token(person)}
    )


def person_for_unsubscribe_token(token: str) -> User:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise UnsubscribeLinkInvalid(
            "This link to stop the daily digest has expired. Sign in and choose how you hear "
            "of each kind of notice on your notification settings page."
        ) from None
    except signing.BadSignature:
        raise UnsubscribeLinkInvalid(
            "This link to stop the daily digest is not complete or has been changed. Use the "
            "link from your latest digest email, or sign in and change your notification "
            "settings."
        ) from None
    person = User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if person is None:
        raise UnsubscribeLinkInvalid("This link does not belong to anyone who can sign in.")
    return person


@dataclass
class KindGroup:
    label: str
    notices: list = field(default_factory=list)


@dataclass
class BoardGroup:
    name: str
    kinds: list[KindGroup] = field(default_factory=list)


def digest_groups(notices: list[Notification]) -> list[BoardGroup]:
    """The notices by board (by name; notices of no board last), then kind (in the order the
    kinds are declared), oldest first within a kind."""

    def board_key(n: Notification):
        return (n.board is None, n.board.name if n.board else "")

    ordered = sorted(notices, key=lambda n: (board_key(n), KIND_ORDER[n.kind], n.created_at, n.pk))
    groups = []
    for (_, name), of_board in groupby(ordered, key=board_key):
        group = BoardGroup(name or "Other notices")
        for kind, of_kind in groupby(of_board, key=lambda n: n.kind):
            group.kinds.append(KindGroup(Notification.Kind(kind).label, list(of_kind)))
        groups.append(group)
    return groups


def digest_send(*, person: User, notices: list[Notification], message_id: str = "") -> None:
    """E-mail the person one digest of these notices, with the header mail programs use to
    offer a one-click unsubscribe (RFC 8058), and the digest's Message-ID if given."""
    groups = digest_groups(notices)
    unsubscribe = unsubscribe_url(person)
    send_templated_email(
        template="notifications/digest",
        to=[person.email],
        context={
            "recipient": person,
            "groups": groups,
            "count": len(notices),
            "board_names": [g.name for g in groups],
            "unsubscribe_url": unsubscribe,
            "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            **({"Message-ID": message_id} if message_id else {}),
        },
    )

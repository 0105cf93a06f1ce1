"""What each kind of message says: the e-mail built from a notification row when it is sent.

A notice's e-mail comes from its kind's template and the row's payload. Other messages
(password reset, invitation to the portal, meeting invitations, updates and cancellations)
register a builder for their kind; an app to the right of this one (meetings) registers its
own from its ``AppConfig.ready``, so this app never imports it. A builder answers None when the
message is no longer needed (the meeting changed again, the invitation was replaced): the row
is then closed as not needed, unsent.

What an e-mail may say is decided here, once: a notice about OFFICIAL-SENSITIVE matter
(core.markings) is written with ``withheld`` — its kind, reference, board and marking only — and
its e-mail (``_notice``) says there is something new and links to the portal, never the matter
itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from boards.models import PersonInvitation
from core.markings import Marking, parse

from .models import Notification


@dataclass
class Email:
    template: str
    context: dict[str, Any]
    attachments: list[tuple[str, str | bytes, str]] = field(default_factory=list)


@dataclass
class EmailKind:
    build: Callable[[Notification], Email | None]
    # Runs in the transaction that marks the row sent (the meeting records what it has sent).
    sent: Callable[[Notification], None] | None = None


_kinds: dict[str, EmailKind] = {}


def email_kind_register(kind: str, build: Callable[[Notification], Email | None], **options: Any):
    _kinds[kind] = EmailKind(build, **options)


def email_kind(kind: str) -> EmailKind:
    return _kinds.get(kind) or EmailKind(_notice)


def message_id(notification: Notification) -> str:
    """The Message-ID of every copy of a notification: stored on the row at its first attempt.

    SMTP cannot tell whether a server already holds a message, so a copy sent again after an
    interrupted attempt carries the same identifier and receiving systems can drop it.
    """
    if notification.message_id:
        return notification.message_id
    host = urlsplit(settings.SITE_URL).hostname or "bluelight.localhost"
    return f"<notification-{notification.pk}@{host}>"


# Kinds that share another kind's e-mail (the text itself says due or overdue).
SHARED_TEMPLATES: dict[str, str] = {Notification.Kind.ACTION_OVERDUE: Notification.Kind.ACTION_DUE}


# What a notice about OFFICIAL-SENSITIVE matter keeps of its payload: enough to say what kind
# of thing is new and where, nothing of what it says.
WITHHELD_KEEPS = ("reference", "board", "meeting", "body")


def withheld(kind: str, payload: dict[str, Any], marking: Marking) -> tuple[str, dict[str, Any]]:
    """The subject and payload of a notice about OFFICIAL-SENSITIVE matter."""
    kept = {key: payload[key] for key in WITHHELD_KEEPS if payload.get(key)}
    label = Notification.Kind(kind).label if kind in Notification.Kind.values else "Notice"
    about = kept.get("reference") or kept.get("meeting") or ""
    subject = f"{label}{': ' + about if about else ''} ({marking.text}: read it on the portal)"
    return subject, {**kept, "kind_label": label, "marking": marking.text}


def is_withheld(notification: Notification) -> bool:
    marking = (notification.payload or {}).get("marking")
    return isinstance(marking, str) and bool(marking) and parse(marking).is_sensitive


def _notice(notification: Notification) -> Email:
    template = SHARED_TEMPLATES.get(notification.kind, notification.kind)
    return Email(
        template=f"notifications/{'withheld' if is_withheld(notification) else template}",
        context={
            "notification": notification,
            "recipient": notification.recipient,
            "payload": notification.payload,
            "link": settings.SITE_URL + notification.link,
            "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
        },
    )


def _password_reset(notification: Notification) -> Email | None:
    person = notification.recipient
    if not person.is_active or not person.has_usable_password():
        return None
    # Made when sent: the link works for PASSWORD_RESET_TIMEOUT from then, and a copy sent
    # again after an interrupted attempt holds a link that works as well.
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return Email(
        template="password_reset",
        context={
            "person": person,
            "link": link,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


def _person_invitation(notification: Notification) -> Email | None:
    invitation = (
        PersonInvitation.objects.pending()
        .select_related("person", "board", "invited_by")
        .filter(pk=notification.payload.get("invitation"))
        .first()
    )
    if invitation is None:  # accepted, replaced or expired since it was written
        return None
    link = settings.SITE_URL + reverse(
        "invitation_accept", kwargs={"token": invitation.link_token()}
    )
    return Email(template="invitation", context={"invitation": invitation, "link": link})


email_kind_register(Notification.Message.PASSWORD_RESET, _password_reset)
email_kind_register(Notification.Message.PERSON_INVITATION, _person_invitation)

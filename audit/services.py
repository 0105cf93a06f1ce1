"""Appending events to the audit trail: changes to the portal's records, and security events
(sign-ins, refusals, downloads) with where they came from."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

from core.client_address import client_ip

from .models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | None

# URL parts that are secrets (invitation, password-reset and calendar-feed links): an event
# keeps the path with them blanked out, so the trail never holds a working link.
SECRET_URL_PARTS = frozenset({"token", "uidb64"})
BLANKED = "[hidden]"


def audit_record(
    *,
    subject: models.Model,
    actor: Actor,
    verb: str,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append an event to the subject's audit trail (in the caller's transaction).

    ``at`` is the moment the change was stamped on its row (its ``updated_at``), so the event
    and the version an edit form carries name the same instant; now by default.
    """
    return AuditEvent.objects.create(
        **({"at": at} if at is not None else {}),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        actor_id=_actor_id(actor),
        verb=verb,
        summary=summary[:500],
        before=before or {},
        after=after or {},
    )


def audit_edit(
    *,
    subject: models.Model,
    actor: AbstractBaseUser | AnonymousUser | None,
    before: dict[str, Any],
    after: dict[str, Any],
    labels: dict[str, str],
    at: datetime | None = None,
    verb: str = "edited",
) -> AuditEvent | None:
    """Append an edit event ("edited" unless ``verb`` names it, e.g. "meeting.changed") naming
    the fields whose plain value changed, with each value before and after; nothing when
    nothing changed."""
    changed = sorted(key for key in after if after[key] != before.get(key))
    if not changed:
        return None
    return audit_record(
        subject=subject,
        actor=actor,
        verb=verb,
        summary=f"Edited {', '.join(labels.get(key, key) for key in changed)}",
        before={key: before.get(key) for key in changed},
        after={key: after[key] for key in changed},
        at=at,
    )


def plain_values(instance: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields' values as the audit trail keeps them (JSON: text, ISO dates, names)."""
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif isinstance(value, datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, date):
            value = value.isoformat()
        values[name] = value
    return values


def security_record(
    *,
    request: HttpRequest,
    verb: str,
    summary: str,
    actor: Actor = None,
    subject: models.Model | None = None,
    username: str = "",
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append a security event: who (or which sign-in name), from which address and browser,
    on which path. ``actor`` defaults to the request's signed-in person."""
    if actor is None:
        actor = getattr(request, "user", None)
    return AuditEvent.objects.create(
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        actor_id=_actor_id(actor),
        verb=verb,
        summary=summary[:500],
        after=after or {},
        username=normalised_username(username)[:254],
        address=client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=safe_path(request.path)[:500],
    )


# The request being answered, for security events noticed deep inside it (a form's validator
# refusing an infected upload), where the request itself is not to hand.
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_current_request", default=None
)


@contextmanager
def request_in_context(request: HttpRequest) -> Iterator[None]:
    """Inside the block, ``context_security_record`` records events against ``request``."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def context_security_record(
    *, verb: str, summary: str, after: dict[str, Any] | None = None
) -> AuditEvent:
    """A security event for the request being answered (who, address, browser, path); outside
    a request (a management command, a task) the event names no one."""
    request = _current_request.get()
    if request is not None:
        return security_record(request=request, verb=verb, summary=summary, after=after)
    return AuditEvent.objects.create(verb=verb, summary=summary[:500], after=after or {})


def download_record(
    *, request: HttpRequest, subject: models.Model, what: str, name: str
) -> AuditEvent:
    """Record that the signed-in person downloaded a file (a paper, a pack, minutes, a report, a
    decision document); ``what`` names the kind, e.g. "paper"."""
    return security_record(
        request=request,
        verb=f"download.{what}",
        summary=f"Downloaded {name}"[:500],
        subject=subject,
    )


DOCUMENT_ISSUED = "document.issued"


def document_issued_record(
    *,
    subject: models.Model,
    actor: Actor,
    kind: str,
    title: str,
    sha256: str,
    signed: bool,
    reason: str = "",
) -> AuditEvent:
    """Anchor a PDF the portal issued (approved minutes, a decision notice, a report) in the
    audit trail's hash chain: its SHA-256, what it is and whether it is signed, so the
    "verify a document" page can recognise it whatever certificate signed it."""
    state = "signed" if signed else "unsigned"
    return audit_record(
        subject=subject,
        actor=actor,
        verb=DOCUMENT_ISSUED,
        summary=f"Issued {title} ({state}, SHA-256 {sha256[:12]}…)",
        after={"kind": kind, "title": title, "sha256": sha256, "signed": signed, "reason": reason},
    )


def normalised_username(username: str) -> str:
    """The sign-in name as the portal compares it: without surrounding spaces, lower case."""
    return (username or "").strip().lower()


def safe_path(path: str) -> str:
    """The path with any secret part of a link (a token) replaced by a marker."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    for name, value in match.kwargs.items():
        if name in SECRET_URL_PARTS and value:
            path = path.replace(str(value), BLANKED)
    return path


def _actor_id(actor: Actor) -> int | None:
    if actor is None or not actor.is_authenticated:
        return None
    return actor.pk  # type: ignore[no-any-return]

"""Reading the audit trail back."""

from collections.abc import Mapping
from datetime import datetime

from django.db import models
from django.utils import timezone

from .models import AuditEvent

CHANGES_SHOWN = 10


def changes_since(
    subject: models.Model,
    since: datetime | None,
    *,
    labels: Mapping[str, str] | None = None,
    verbs: tuple[str, ...] = (),
) -> list[str]:
    """Who changed what on the subject after ``since``, oldest first, one sentence each:
    "Jane Doe, 1 December 2026 at 14:02: Review held on 1 December 2026: RAG green, ...".

    ``labels`` names the fields of an edit event in the person's words; ``verbs`` keeps only
    those kinds of event. Used to explain why a stale edit form was refused.
    """
    events = AuditEvent.objects.for_subject(subject).select_related("actor")
    if since is not None:
        events = events.filter(at__gt=since)
    if verbs:
        events = events.filter(verb__in=verbs)
    latest = list(events.order_by("-at", "-pk")[:CHANGES_SHOWN])
    return [describe(event, labels or {}) for event in reversed(latest)]


def describe(event: AuditEvent, labels: Mapping[str, str]) -> str:
    who = event.actor.full_name if event.actor else "The portal"
    when = timezone.localtime(event.at).strftime("%-d %B %Y at %H:%M")
    details = [
        f"{labels.get(key, key.replace('_', ' '))} from {_plain(before)} to {_plain(after)}"
        for key, before, after in event.changes
    ]
    if event.verb == "edited" and details:
        return f"{who}, {when}: changed {'; '.join(details)}"
    return f"{who}, {when}: {event.summary}"


def _plain(value: object) -> str:
    """A value as a person reads it: dates as 15 January 2027, nothing as "nothing"."""
    if value in (None, "", []):
        return "nothing"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.fromisoformat(text).strftime("%-d %B %Y")
        except ValueError:
            return text
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"

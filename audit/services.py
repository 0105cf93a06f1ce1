from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditEvent


def audit_record(
    *,
    subject: models.Model,
    actor: AbstractBaseUser | AnonymousUser | None,
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
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
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
) -> AuditEvent | None:
    """Append an "edited" event naming the fields whose plain value changed, with each value
    before and after; nothing when nothing changed."""
    changed = sorted(key for key in after if after[key] != before.get(key))
    if not changed:
        return None
    return audit_record(
        subject=subject,
        actor=actor,
        verb="edited",
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

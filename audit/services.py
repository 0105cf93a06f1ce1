from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

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

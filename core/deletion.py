"""Records that are never deleted.

A model whose rows become part of the record (a meeting past draft, a published paper, a
decision, a notification...) answers ``deletion_refusal()``: a sentence saying why this row may
not be deleted (and what to do instead), or "" when it may. ``guard_deletion`` makes Django ask
it before every delete — ``instance.delete()``, a queryset's ``delete()`` and the cascade from a
parent row alike (Django sends ``pre_delete`` for each row it deletes) — and refuse with
``DeletionRefused``. ``UndeletableAdminMixin`` asks the same question in the admin, which then
offers no delete button or bulk delete action for those rows.

PostgreSQL refuses the same deletes again, whoever asks: the audit trail is append-only (the
audit app's migration); the tables whose draft rows may still be deleted have a BEFORE DELETE
trigger named ``keep_the_record`` with the same rule as their model (the meetings' and the
register's migrations); and ``manage.py database_roles`` takes DELETE away from the portal's
role on every other table guarded here (``record_tables()``), none of whose rows may go.
"""

from typing import Any, Protocol

from django.contrib import messages
from django.db import models
from django.db.models.signals import pre_delete
from django.http import HttpResponseRedirect

from .exceptions import Refused


class DeletionRefused(Refused):
    """A row that is part of the record cannot be deleted."""

    default_message = "This is part of the record and cannot be deleted."


class Guarded(Protocol):
    def deletion_refusal(self) -> str: ...


def _refuse(
    sender: type[models.Model], instance: Guarded, origin: Any = None, **kwargs: Any
) -> None:
    # The row the delete was asked for speaks first (its own reason, not a child's).
    for candidate in (origin, instance):
        if isinstance(candidate, models.Model) and hasattr(candidate, "deletion_refusal"):
            refusal = candidate.deletion_refusal()
            if refusal:
                raise DeletionRefused(refusal)


# Every model guarded, in the order the apps guarded them.
_GUARDED: dict[str, type[models.Model]] = {}
# The trigger a table has when PostgreSQL refuses the deletion of some of its rows only.
ROW_RULE_TRIGGER = "keep_the_record"


def guard_deletion(*model_classes: type[models.Model]) -> None:
    """Refuse every delete of these models' rows whose ``deletion_refusal()`` says why not."""
    for model in model_classes:
        pre_delete.connect(
            _refuse, sender=model, weak=False, dispatch_uid=f"guard-{model._meta.label}"
        )
        _GUARDED[model._meta.label] = model


def record_tables() -> list[str]:
    """The tables of every guarded model (once the apps are ready), in name order."""
    return sorted(model._meta.db_table for model in _GUARDED.values())


class RefusalShownAdminMixin:
    """A delete the record refuses (a person's notifications, say) comes back to the admin
    page with the reason, rather than as a server error."""

    def delete_view(self, request: Any, object_id: str, extra_context: Any = None) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        except DeletionRefused as refusal:
            messages.error(request, f"Nothing was deleted. {refusal.message}")
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")


class UndeletableAdminMixin(RefusalShownAdminMixin):
    """The admin offers delete only for rows that may be deleted, and no bulk delete (which
    would stop half way at the first row of the record)."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is None:
            return False
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and not obj.deletion_refusal()

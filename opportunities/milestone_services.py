"""Delivery milestones of an approved collaboration: added and updated by the board's
secretariat or the collaboration's lead officer, shown on the board's public pages."""

from datetime import date

from django.db import transaction

from audit.selectors import changes_since
from audit.services import audit_record
from boards.models import User
from core.concurrency import ensure_current

from .models import DELIVERY_STATES, Milestone, Opportunity, Status
from .services import WorkflowError

FIELD_LABELS = {
    "title": "title",
    "description": "description",
    "due_on": "due date",
    "percent_complete": "per cent complete",
}


def milestone_refusal(opportunity: Opportunity) -> str | None:
    """Why milestones cannot be added or changed now, in a sentence; None when they can."""
    if opportunity.status in DELIVERY_STATES:
        return None
    return (
        f"{opportunity.reference} is {Status(opportunity.status).label.lower()}: milestones are "
        "kept for approved collaborations, in delivery or implemented."
    )


def _check(opportunity: Opportunity) -> None:
    refusal = milestone_refusal(opportunity)
    if refusal:
        raise WorkflowError(refusal)


@transaction.atomic
def milestone_add(
    *,
    opportunity: Opportunity,
    actor: User,
    title: str,
    due_on: date,
    percent_complete: int,
    description: str = "",
) -> Milestone:
    """Add a milestone to an approved collaboration.

    Writes the milestone and appends a "milestone_added" audit event on the opportunity.
    Refused (``WorkflowError``) unless the collaboration is approved, in delivery or
    implemented.
    """
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _check(opportunity)
    milestone = Milestone.objects.create(
        opportunity=opportunity,
        title=title,
        description=description,
        due_on=due_on,
        percent_complete=percent_complete,
        created_by=actor,
    )
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="milestone_added",
        summary=f"Milestone added: {title} ({percent_complete}% complete, due {due_on:%-d %B %Y})",
        after={"milestone": milestone.pk},
    )
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: User,
    seen_version: str | None,
    title: str,
    due_on: date,
    percent_complete: int,
    description: str = "",
) -> bool:
    """Update a milestone, if the form was opened on its current version.

    Locks the milestone; refuses with ``EditConflict`` (naming who changed what since) when it
    changed after the form was opened, and with ``WorkflowError`` when the collaboration is no
    longer approved, in delivery or implemented. Writes the milestone and appends a "edited"
    audit event on it naming the changes; nothing when nothing changed. Returns whether
    anything changed.
    """
    locked = (
        Milestone.objects.select_for_update().select_related("opportunity").get(pk=milestone.pk)
    )
    ensure_current(
        current=locked.updated_at,
        seen=seen_version,
        what=f"the milestone “{locked.title}”",
        changes=lambda since: changes_since(locked, since, labels=FIELD_LABELS),
    )
    _check(locked.opportunity)
    wanted = {
        "title": title,
        "description": description,
        "due_on": due_on,
        "percent_complete": percent_complete,
    }
    before = {key: getattr(locked, key) for key in wanted}
    changed = {key: value for key, value in wanted.items() if before[key] != value}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(locked, key, value)
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        subject=locked,
        actor=actor,
        verb="edited",
        summary=f"Milestone “{locked.title}” updated",
        before={key: _plain(before[key]) for key in changed},
        after={key: _plain(value) for key, value in changed.items()},
        at=locked.updated_at,
    )
    milestone.refresh_from_db()
    return True


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value

"""The register's multi-step operations: proposing, editing, moving an opportunity along its
workflow, recording and sending recommendations, and recording each body's decision."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Field, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import audit_record
from boards.models import Board, BoardMembership, Organisation, User
from boards.permissions import can_decide_for
from boards.selectors import board_people, executives_of
from core.batching import batch_size_for
from core.exceptions import Refused
from core.uploads import Kind, safe_original_name
from notifications.models import Notification
from notifications.services import notification_create_many

from . import pack_services
from .models import (
    AUTOMATIC,
    Benefit,
    Opportunity,
    Outcome,
    Recommendation,
    Referral,
    ReferralDocument,
    Status,
    add_months,
)


@dataclass(frozen=True)
class DecisionNoticeFields:
    """What a decision notice records beyond the decision and its reference."""

    decision_maker: str = ""
    decision_forum: str = ""
    decision_taken_on: date | None = None
    reasons: str = ""
    conditions: str = ""

    def as_update(self) -> dict[str, Any]:
        return asdict(self)


class WorkflowError(Refused):
    """An action the register's workflow does not allow now."""


class ReferralNotDecidable(WorkflowError):
    pass


# --- the opportunity ----------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "title",
    "summary",
    "theme",
    "lead_organisation",
    "non_cashable_benefits",
    "estimated_cost",
    "risks",
    "owner",
    "rag",
    "next_review_on",
)


@transaction.atomic
def opportunity_propose(
    *,
    board: Board,
    proposed_by: User,
    participating: Iterable[Organisation],
    estimates: Mapping[Organisation, Decimal] | None = None,
    benefits_by: date | None = None,
    **fields: Any,
) -> Opportunity:
    """A board member proposes an opportunity.

    Creates it in the "proposed" state with its participating bodies (the lead body always
    among them), records the proposer's estimate of each body's cashable benefit (expected in
    total by ``benefits_by``, a year ahead if not given) as the bodies' first estimates, and
    appends the "proposed" event to its audit trail.
    """
    fields = {key: value for key, value in fields.items() if key in EDITABLE_FIELDS}
    opportunity = Opportunity.objects.create(board=board, proposed_by=proposed_by, **fields)
    opportunity.participating_organisations.set({*participating, opportunity.lead_organisation})
    after = _snapshot(opportunity)
    estimated = {body: amount for body, amount in (estimates or {}).items() if amount is not None}
    if estimated:
        period_end = benefits_by or add_months(timezone.localdate(), 12)
        Benefit.objects.bulk_create(
            Benefit(
                opportunity=opportunity,
                organisation=body,
                kind=Benefit.Kind.ESTIMATED,
                cashable=amount,
                period_end=period_end,
                recorded_by=proposed_by,
            )
            for body, amount in estimated.items()
        )
        after["estimates"] = {
            body.short_name: f"{amount:.2f}"
            for body, amount in sorted(estimated.items(), key=lambda item: item[0].name)
        }
        after["benefits_by"] = period_end.isoformat()
    audit_record(
        subject=opportunity,
        actor=proposed_by,
        verb="proposed",
        summary=f"Proposed {opportunity.reference} “{opportunity.title}”",
        after=after,
    )
    return opportunity


def split_estimate(
    total: Decimal, bodies: Iterable[Organisation], lead: Organisation
) -> dict[Organisation, Decimal]:
    """A total estimate shared equally between the bodies, to the penny; the lead body takes the
    pennies left over. (The secretariat adjusts each body's share on the estimates page.)"""
    shared = sorted({*bodies, lead}, key=lambda body: body.name)
    share = (total / len(shared)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    split = dict.fromkeys(shared, share)
    split[lead] += total - share * len(shared)
    return split


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    actor: User,
    participating: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Opportunity:
    """The secretariat edits an opportunity (assessment, owner, RAG, review date...).

    Saves the changed fields and appends one "edited" event holding each field's value before
    and after. Nothing is written when nothing changed.
    """
    before = _snapshot(Opportunity.objects.get(pk=opportunity.pk))
    for key, value in fields.items():
        if key in EDITABLE_FIELDS:
            setattr(opportunity, key, value)
    # Only the edited fields are written: a status moved meanwhile by a decision stays moved.
    opportunity.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    if participating is not None:
        opportunity.participating_organisations.set({*participating, opportunity.lead_organisation})
    after = _snapshot(opportunity)
    changed = {key for key in after if after[key] != before.get(key)}
    if changed:
        audit_record(
            subject=opportunity,
            actor=actor,
            verb="edited",
            summary=f"Edited {', '.join(sorted(_label(key) for key in changed))}",
            before={key: before.get(key) for key in sorted(changed)},
            after={key: after[key] for key in sorted(changed)},
        )
    return opportunity


@transaction.atomic
def opportunity_transition(
    *,
    opportunity: Opportunity,
    actor: User | None,
    to: str,
    automatic: bool = False,
    reason: str = "",
) -> Opportunity:
    """Move an opportunity to another status, if the workflow allows it from where it is.

    A person may only make the manual moves; the automatic ones (referrals sent, outcome known)
    are made by the services that cause them. The change is a conditional update, so two people
    moving the same opportunity at once cannot both succeed. Appends a "status" event. Entering
    delivery or on hold without a next review date sets one, and leaving review for a state
    outside it clears it (``Opportunity.next_review_after_moving_to``), with its own event.
    """
    current = opportunity.status
    allowed = opportunity.can_move_to(to)
    if allowed and not automatic and to in AUTOMATIC.get(current, frozenset()):
        allowed = False
    if not allowed:
        raise WorkflowError(
            f"{opportunity.reference} is {Status(current).label.lower()}; it cannot be moved "
            f"to “{Status(to).label.lower() if to in Status.values else to}” from there."
        )
    review_on = opportunity.next_review_after_moving_to(to)
    review_changed = review_on != opportunity.next_review_on
    changes: dict[str, Any] = {}
    if review_changed:
        # A first date never overwrites one set meanwhile by an edit.
        changes["next_review_on"] = (
            Coalesce(F("next_review_on"), Value(review_on)) if review_on else None
        )
    moved = Opportunity.objects.filter(pk=opportunity.pk, status=current).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if moved != 1:
        raise WorkflowError(
            f"{opportunity.reference} was changed by someone else a moment ago. Reload the page "
            "to see its status now."
        )
    before_review = opportunity.next_review_on
    if review_changed:
        review_on = Opportunity.objects.values_list("next_review_on", flat=True).get(
            pk=opportunity.pk
        )
        opportunity.next_review_on = review_on
    opportunity.status = to
    summary = f"Status changed from {Status(current).label} to {Status(to).label}"
    if reason:
        summary += f": {reason}"
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="status",
        summary=summary,
        before={"status": current},
        after={"status": to},
    )
    if review_changed:
        _audit_review_date(opportunity, actor, before_review, review_on)
    return opportunity


def _audit_review_date(
    opportunity: Opportunity, actor: User | None, before: date | None, after: date | None
) -> None:
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="review_scheduled" if after else "review_cleared",
        summary=f"Next review set for {after:%-d %B %Y}"
        if after
        else "No further review is due now that it is " + Status(opportunity.status).label.lower(),
        before={"next_review_on": before.isoformat() if before else None},
        after={"next_review_on": after.isoformat() if after else None},
    )


# --- recommendations and referrals ------------------------------------------------------------


@transaction.atomic
def recommendation_record(
    *,
    opportunity: Opportunity,
    actor: User,
    wording: str,
    agreed_on: date,
    decision_due_on: date,
    organisations: Iterable[Organisation],
) -> Recommendation:
    """Record the board's recommendation (or a revised one) on an opportunity.

    Creates the next version with one referral per body (not yet sent). (Recorded from a
    meeting's agenda item, the meetings app links it to that item.) A revision supersedes
    the previous version: its undecided referrals can no longer be decided, while its decided
    ones stay visible. The opportunity becomes "recommended". Appends audit events.
    """
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    refusal = opportunity.recommendation_refusal()
    if refusal:
        raise WorkflowError(refusal)
    organisations = list(organisations)
    previous = opportunity.recommendations.filter(superseded_at__isnull=True).first()
    if previous is not None:
        _supersede(previous, actor)
    recommendation = Recommendation.objects.create(
        opportunity=opportunity,
        version=(previous.version + 1) if previous else _next_version(opportunity),
        wording=wording,
        agreed_on=agreed_on,
        decision_due_on=decision_due_on,
        recorded_by=actor,
    )
    Referral.objects.bulk_create(
        (
            Referral(
                recommendation=recommendation, organisation=organisation, due_on=decision_due_on
            )
            for organisation in organisations
        ),
        batch_size=batch_size_for(Referral),
    )
    names = ", ".join(sorted(o.short_name for o in organisations))
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="recommendation",
        summary=f"Recommendation v{recommendation.version} recorded for {names}, "
        f"decisions due {decision_due_on:%-d %B %Y}",
        after={"version": recommendation.version, "wording": wording, "bodies": names},
    )
    if opportunity.status != Status.RECOMMENDED:
        opportunity_transition(
            opportunity=opportunity,
            actor=actor,
            to=Status.RECOMMENDED,
            automatic=True,
            reason=f"recommendation v{recommendation.version} recorded",
        )
    return recommendation


def _next_version(opportunity: Opportunity) -> int:
    latest = opportunity.recommendations.order_by("-version").values_list("version", flat=True)
    return (latest.first() or 0) + 1


def _supersede(previous: Recommendation, actor: User) -> None:
    now = timezone.now()
    Recommendation.objects.filter(pk=previous.pk).update(superseded_at=now)
    withdrawn = previous.referrals.filter(status__in=Referral.DECIDABLE).update(
        status=Referral.Status.SUPERSEDED, revision=F("revision") + 1
    )
    audit_record(
        subject=previous.opportunity,
        actor=actor,
        verb="superseded",
        summary=f"Recommendation v{previous.version} superseded"
        + (f"; {withdrawn} undecided referral(s) withdrawn" if withdrawn else ""),
    )


@transaction.atomic
def recommendation_send(*, recommendation: Recommendation, actor: User) -> Recommendation:
    """Send a recommendation's referrals to each body's executive.

    Marks the recommendation and its referrals sent (once: a second send is refused), keeps its
    referral pack (the facts the executives decide on, with its papers), moves the
    opportunity to "awaiting decisions", appends an audit event and notifies each body's
    executives (delivered after commit).
    """
    recommendation = _lock_recommendation(recommendation.pk)
    now = timezone.now()
    sent = Recommendation.objects.filter(
        pk=recommendation.pk, sent_at__isnull=True, superseded_at__isnull=True
    ).update(sent_at=now)
    if sent != 1:
        raise WorkflowError(
            "This recommendation has already been sent, or a revised one has replaced it."
        )
    recommendation.sent_at = now
    pack_services.pack_freeze(recommendation)
    referrals = list(recommendation.referrals.select_related("organisation"))
    Referral.objects.filter(recommendation=recommendation).update(sent_at=now)
    opportunity = recommendation.opportunity
    opportunity_transition(
        opportunity=opportunity,
        actor=actor,
        to=Status.AWAITING_DECISIONS,
        automatic=True,
        reason=f"recommendation v{recommendation.version} sent to the executives",
    )
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="referred",
        summary=f"Recommendation v{recommendation.version} referred to "
        + ", ".join(
            r.organisation.executive_body + f" ({r.organisation.short_name})" for r in referrals
        ),
    )
    for referral in referrals:
        notification_create_many(
            board=opportunity.board,
            recipients=executives_of(referral.organisation),
            kind=Notification.Kind.REFERRAL_SENT,
            event_key=f"referral-sent:{referral.pk}",
            subject=f"{opportunity.reference}: a recommendation awaits the decision of "
            f"{referral.organisation.executive_body}",
            link=referral.get_absolute_url(),
            payload={
                "reference": opportunity.reference,
                "title": opportunity.title,
                "board": opportunity.board.name,
                "wording": recommendation.wording,
                "body": referral.organisation.name,
                "executive_body": referral.organisation.executive_body,
                "due_on": f"{recommendation.decision_due_on:%-d %B %Y}",
            },
        )
    return recommendation


@transaction.atomic
def referral_decide(
    *,
    referral: Referral,
    actor: User,
    outcome: str,
    reference: str,
    notes: str,
    seen_revision: int,
    documents: "Iterable[tuple[UploadedFile[bytes], Kind]]" = (),
    notice: "DecisionNoticeFields | None" = None,
) -> Referral:
    """Record a body's decision on a referred recommendation, exactly once.

    Locks the recommendation (so the bodies' decisions are taken one at a time and the outcome
    is judged on committed data), updates the referral only if it is still undecided and
    unchanged since the person opened it, stores the supporting documents, appends an audit
    event, notifies the secretariat and the lead body, and, when the outcome is known, moves
    the opportunity to approved / not approved and tells the board. ``notice`` holds what the
    decision notice records (who took it, where, when, why, on what conditions); a final
    decision's notice PDF is built after commit.
    """
    recommendation = _lock_recommendation(referral.recommendation_id)
    if not can_decide_for(actor, referral.organisation):
        raise ReferralNotDecidable(
            f"You may not record decisions for {referral.organisation.name}."
        )
    if outcome not in Referral.DECISIONS:
        raise ReferralNotDecidable("Choose approve, approve with conditions, decline or defer.")
    now = timezone.now()
    recorded = Referral.objects.filter(
        pk=referral.pk,
        status__in=Referral.DECIDABLE,
        sent_at__isnull=False,
        revision=seen_revision,
        recommendation__superseded_at__isnull=True,
    ).update(
        status=outcome,
        decided_at=now,
        decided_by=actor,
        recorded_by=actor,
        executive_body=referral.organisation.executive_body,
        decision_reference=reference,
        notes=notes,
        revision=F("revision") + 1,
        **(notice or DecisionNoticeFields()).as_update(),
    )
    if recorded != 1:
        raise ReferralNotDecidable(_why_not_decidable(referral, seen_revision))
    referral.refresh_from_db()
    for upload, kind in documents:
        # Form-validated uploads: a file field refuses one without a name, detect_kind an empty one.
        assert upload.name is not None and upload.size is not None
        ReferralDocument.objects.create(
            referral=referral,
            file=upload,
            original_name=safe_original_name(upload.name, kind),
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=actor,
        )
    opportunity = recommendation.opportunity
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="decision",
        summary=f"{referral.organisation.executive_body} ({referral.organisation.short_name}): "
        f"{referral.get_status_display()}" + (f", ref. {reference}" if reference else ""),
        before={"referral": referral.pk, "status": "pending"},
        after={"referral": referral.pk, "status": outcome, "notes": notes},
    )
    _notify_decision(referral, opportunity)
    _apply_outcome(recommendation, opportunity, actor)
    pack_services.notice_request_build(referral=referral)
    return referral


def _lock_recommendation(pk: int) -> Recommendation:
    """Lock an opportunity, then its recommendation: every service that changes both takes
    them in this order, so two of them at once wait for each other instead of deadlocking.
    Only these two rows are locked (not the board or the bodies they refer to)."""
    opportunity_id = Recommendation.objects.values_list("opportunity_id", flat=True).get(pk=pk)
    Opportunity.objects.select_for_update().only("pk").get(pk=opportunity_id)
    return (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("opportunity__board", "opportunity__lead_organisation")
        .get(pk=pk)
    )


def _why_not_decidable(referral: Referral, seen_revision: int) -> str:
    current = Referral.objects.select_related("decided_by", "recommendation").get(pk=referral.pk)
    if current.sent_at is None:
        return "This recommendation has not been sent to your body yet."
    if current.status == Referral.Status.SUPERSEDED or current.recommendation.superseded_at:
        return "A revised recommendation has replaced this one; decide on the new version."
    if current.status not in Referral.DECIDABLE or current.revision != seen_revision:
        who = current.decided_by.full_name if current.decided_by else "someone else"
        when = (
            timezone.localtime(current.decided_at).strftime("%-d %B %Y at %H:%M")
            if current.decided_at
            else ""
        )
        return (
            f"This referral was already decided by {who}{' on ' + when if when else ''}: "
            f"{current.get_status_display().lower()}. Nothing was changed."
        )
    return "This referral cannot be decided now."


def _notify_decision(referral: Referral, opportunity: Opportunity) -> None:
    board = opportunity.board
    recipients = {
        *board_people(board, roles=[BoardMembership.Role.SECRETARIAT]),
        *board_people(board, organisation=opportunity.lead_organisation),
    }
    if opportunity.owner is not None:
        recipients.add(opportunity.owner)
    notification_create_many(
        board=opportunity.board,
        recipients=recipients,
        kind=Notification.Kind.DECISION_RECORDED,
        event_key=f"decision:{referral.pk}:{referral.revision}",
        subject=f"{opportunity.reference}: {referral.organisation.short_name} — "
        f"{referral.get_status_display().lower()}",
        link=opportunity.get_absolute_url(),
        payload={
            "reference": opportunity.reference,
            "title": opportunity.title,
            "board": board.name,
            "body": referral.organisation.name,
            "executive_body": referral.executive_body,
            "decision": referral.get_status_display(),
            "decision_reference": referral.decision_reference,
            "notes": referral.notes,
        },
    )


def _apply_outcome(recommendation: Recommendation, opportunity: Opportunity, actor: User) -> None:
    outcome = recommendation.outcome_of(recommendation.referrals.all())
    if outcome == Outcome.AWAITING or opportunity.status != Status.AWAITING_DECISIONS:
        return
    to = Status.APPROVED if outcome == Outcome.APPROVED else Status.NOT_APPROVED
    opportunity_transition(
        opportunity=opportunity,
        actor=actor,
        to=to,
        automatic=True,
        reason=f"the outcome of recommendation v{recommendation.version} is known",
    )
    notification_create_many(
        board=opportunity.board,
        recipients=board_people(opportunity.board),
        kind=Notification.Kind.OUTCOME_KNOWN,
        event_key=f"outcome:{recommendation.pk}",
        subject=f"{opportunity.reference}: {Outcome(outcome).label.lower()}",
        link=opportunity.get_absolute_url(),
        payload={
            "reference": opportunity.reference,
            "title": opportunity.title,
            "board": opportunity.board.name,
            "outcome": Outcome(outcome).label,
            "version": recommendation.version,
        },
    )


# --- helpers -------------------------------------------------------------------------------


def _snapshot(opportunity: Opportunity) -> dict[str, Any]:
    """Plain values of the fields the audit trail compares."""
    values: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        value = getattr(opportunity, _field(name).attname)
        if name in ("lead_organisation", "owner"):
            related = getattr(opportunity, name)
            value = str(related) if related else None
        elif isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, date):
            value = value.isoformat()
        values[name] = value
    if opportunity.pk:
        values["participating"] = sorted(
            opportunity.participating_organisations.values_list("short_name", flat=True)
        )
    return values


def _label(name: str) -> str:
    if name == "participating":
        return "participating bodies"
    return str(_field(name).verbose_name)


def _field(name: str) -> "Field[Any, Any]":
    """One of the opportunity's own fields (never a relation seen from the other side)."""
    field = Opportunity._meta.get_field(name)
    if not isinstance(field, Field):
        raise LookupError(f"An opportunity has no field called {name!r}.")
    return field

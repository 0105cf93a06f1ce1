"""The register's multi-step operations: proposing, editing, moving an opportunity along its
workflow, recording and sending recommendations, and recording each body's decision."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Field, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.selectors import changes_since
from audit.services import audit_record
from boards.models import Board, BoardMembership, Organisation, User
from boards.permissions import can_decide_for
from boards.selectors import board_people, executives_by_organisation, executives_of
from core import govuk
from core.batching import batch_size_for
from core.concurrency import ensure_current
from core.exceptions import Refused
from core.markings import Marking, marking_fields, strictest
from core.uploads import Kind, safe_original_name
from notifications.models import Notification
from notifications.services import notification_create_many, webhook_deliveries_write

from . import pack_services
from .models import (
    AUTOMATIC,
    Benefit,
    Opportunity,
    Outcome,
    Recommendation,
    Referral,
    ReferralDocument,
    ReferralEvent,
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
    notification_create_many(
        board=board,
        recipients=board_people(board, roles=[BoardMembership.Role.SECRETARIAT]),
        kind=Notification.Kind.PROPOSAL_NEW,
        event_key=f"proposed:{opportunity.pk}",
        subject=f"{opportunity.reference}: a new opportunity has been proposed for assessment",
        link=opportunity.get_absolute_url(),
        payload=opportunity.message_payload(proposed_by=proposed_by.full_name),
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
    seen_version: str | None = None,
    **fields: Any,
) -> Opportunity:
    """The secretariat edits an opportunity (assessment, owner, RAG, review date...).

    Locks the opportunity; if it has changed since the version the form was opened on
    (``seen_version``), refuses with ``EditConflict`` naming who changed what, and writes
    nothing. Otherwise saves the fields and appends one "edited" event holding each changed
    field's value before and after (none when nothing changed).
    """
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    opportunity_ensure_current(current, seen_version)
    before = _snapshot(current)
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
            at=opportunity.updated_at,
        )
    return opportunity


def opportunity_ensure_current(opportunity: Opportunity, seen_version: str | None) -> None:
    """Refuse an edit opened on an older version of the (locked) opportunity: ``EditConflict``
    naming who changed what since, from its audit trail."""
    ensure_current(
        current=opportunity.updated_at,
        seen=seen_version,
        what=opportunity.reference,
        changes=lambda since: changes_since(opportunity, since, labels=FIELD_LABELS),
    )


@transaction.atomic
def opportunity_transition(
    *,
    opportunity: Opportunity,
    actor: User | None,
    to: str,
    automatic: bool = False,
    reason: str = "",
    revisit_on: date | None = None,
) -> Opportunity:
    """Move an opportunity to another status, if the workflow allows it from where it is.

    A person may only make the manual moves; the automatic ones (referrals sent, outcome known)
    are made by the services that cause them. Putting on hold, withdrawing and closing without
    delivery need a reason; withdrawing or closing without delivery also enters the opportunity
    in the "considered and not pursued" register with that reason and an optional date to
    revisit it. The change is a conditional update, so two people moving the same opportunity
    at once cannot both succeed. Appends a "status" event. Entering delivery or on hold without
    a next review date sets one, and leaving review for a state outside it clears it
    (``Opportunity.next_review_after_moving_to``), with its own event. The referrals follow in
    the same transaction (``_referrals_follow``): paused on hold, resumed, reopened, or closed
    with the reason when the opportunity leaves the decision states, the executives told.
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
    reason = reason.strip()
    if not automatic and not reason and opportunity.needs_reason_to_move_to(to):
        raise WorkflowError(
            f"Give the reason for moving {opportunity.reference} to "
            f"“{Status(to).label.lower()}”: it is kept on the record."
        )
    review_on = opportunity.next_review_after_moving_to(to)
    review_changed = review_on != opportunity.next_review_on
    changes: dict[str, Any] = {}
    not_pursued = opportunity.is_not_pursued_when_moved_to(to)
    if not_pursued:
        changes.update(
            not_pursued_on=timezone.localdate(), not_pursued_reason=reason, revisit_on=revisit_on
        )
    if review_changed:
        # A first date never overwrites one set meanwhile by an edit.
        changes["next_review_on"] = (
            Coalesce(F("next_review_on"), Value(review_on)) if review_on else None
        )
    now = timezone.now()
    moved = Opportunity.objects.filter(pk=opportunity.pk, status=current).update(
        status=to, updated_at=now, **changes
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
    if not_pursued:
        opportunity.not_pursued_on = changes["not_pursued_on"]
        opportunity.not_pursued_reason = reason
        opportunity.revisit_on = revisit_on
    opportunity.status = to
    opportunity.updated_at = now
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
        at=now,
    )
    if review_changed:
        _audit_review_date(opportunity, actor, before_review, review_on)
    _referrals_follow(opportunity, current, to, actor, reason)
    return opportunity


# --- the referrals follow the opportunity -------------------------------------------------------

DECISION_STATES = frozenset({Status.AWAITING_DECISIONS, Status.ON_HOLD})
OUTCOMES = frozenset({Status.APPROVED, Status.NOT_APPROVED})
# How the open referrals close when the opportunity leaves the decision states for a status.
CLOSED_AS: dict[str, str] = {
    Status.APPROVED: Referral.Status.OUTCOME_DECIDED,
    Status.NOT_APPROVED: Referral.Status.OUTCOME_DECIDED,
    Status.WITHDRAWN: Referral.Status.WITHDRAWN,
}


def _referrals_follow(
    opportunity: Opportunity, current: str, to: str, actor: User | None, reason: str
) -> None:
    """What a change of the opportunity's status does to the referrals of its recommendation in
    force: a hold pauses them, resuming restarts them with their due dates moved on by the
    pause, a disputed outcome reopens those its outcome closed, and leaving the decision states
    closes every open one with the reason (the outcome known, withdrawn, or closed)."""
    referrals = Referral.objects.filter(
        recommendation__opportunity=opportunity,
        recommendation__superseded_at__isnull=True,
        sent_at__isnull=False,
    ).select_related("organisation")
    if current == Status.AWAITING_DECISIONS and to == Status.ON_HOLD:
        _pause(list(referrals.open()), opportunity, actor, reason)
    elif current == Status.ON_HOLD and to == Status.AWAITING_DECISIONS:
        _resume(list(referrals.open()), opportunity, actor, reason)
    elif current in OUTCOMES and to == Status.AWAITING_DECISIONS:
        _reopen(
            list(referrals.filter(status=Referral.Status.OUTCOME_DECIDED)),
            opportunity,
            actor,
            reason,
        )
    elif current in DECISION_STATES and to not in DECISION_STATES:
        closed_as: str = CLOSED_AS.get(to, Referral.Status.OPPORTUNITY_CLOSED)
        why = reason or Status(to).label
        _close(list(referrals.open()), opportunity, actor, closed_as, why)


def _pause(
    referrals: list[Referral], opportunity: Opportunity, actor: User | None, reason: str
) -> None:
    today = timezone.localdate()
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
        paused_on=today, revision=F("revision") + 1
    )
    _lifecycle_events(referrals, ReferralEvent.Kind.PAUSED, actor, reason)
    _tell_executives(
        referrals,
        opportunity,
        what="paused",
        subject=f"{opportunity.reference}: decisions paused — the opportunity is on hold",
        reason=reason,
    )


def _resume(
    referrals: list[Referral], opportunity: Opportunity, actor: User | None, reason: str
) -> None:
    today = timezone.localdate()
    for referral in referrals:
        # The due date is suspended while on hold: it moves on by the days the pause lasted.
        paused = (today - referral.paused_on).days if referral.paused_on else 0
        referral.due_on = referral.due_on + timedelta(days=paused)
        Referral.objects.filter(pk=referral.pk).update(
            paused_on=None, due_on=referral.due_on, revision=F("revision") + 1
        )
    _lifecycle_events(referrals, ReferralEvent.Kind.RESUMED, actor, reason)
    stamp = timezone.now().isoformat()
    for referral in referrals:
        referral_awaits_body(
            referral, opportunity, why="resumed", event_key=f"resumed:{referral.pk}:{stamp}"
        )
    _tell_executives(
        referrals,
        opportunity,
        what="resumed",
        subject=f"{opportunity.reference}: decisions resumed — the recommendation awaits your "
        "body's decision again",
        reason=reason,
    )


def _reopen(
    referrals: list[Referral], opportunity: Opportunity, actor: User | None, reason: str
) -> None:
    last_decisions = dict(
        ReferralEvent.objects.filter(
            referral__in=referrals, kind=ReferralEvent.Kind.DECISION
        ).values_list("referral_id", "outcome")
    )
    for referral in referrals:
        deferred = last_decisions.get(referral.pk) == Referral.Status.DEFERRED
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.DEFERRED if deferred else Referral.Status.PENDING,
            closed_at=None,
            closed_reason="",
            revision=F("revision") + 1,
        )
    _lifecycle_events(referrals, ReferralEvent.Kind.RESUMED, actor, reason)
    _tell_executives(
        referrals,
        opportunity,
        what="reopened",
        subject=f"{opportunity.reference}: the recommendation awaits your body's decision again",
        reason=reason,
    )


def _close(
    referrals: list[Referral],
    opportunity: Opportunity,
    actor: User | None,
    closed_as: str,
    reason: str,
) -> None:
    if not referrals:
        return
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
        status=closed_as,
        closed_at=timezone.now(),
        closed_reason=reason,
        paused_on=None,
        revision=F("revision") + 1,
    )
    _lifecycle_events(referrals, ReferralEvent.Kind.CLOSED, actor, reason, outcome=closed_as)
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="referrals_closed",
        summary=f"{len(referrals)} open referral(s) closed without a decision: {reason}",
        after={"status": closed_as, "referrals": [r.pk for r in referrals]},
    )
    if closed_as != Referral.Status.OUTCOME_DECIDED:
        # The outcome notice (``_apply_outcome``) tells every executive when it is known.
        _tell_executives(
            referrals,
            opportunity,
            what="closed",
            subject=f"{opportunity.reference}: the referral to your body is closed — "
            + Referral.Status(closed_as).label.removeprefix("Closed: "),
            reason=reason,
        )


def _lifecycle_events(
    referrals: list[Referral], kind: str, actor: User | None, note: str, outcome: str = ""
) -> None:
    ReferralEvent.objects.bulk_create(
        ReferralEvent(referral=r, kind=kind, actor=actor, note=note, outcome=outcome)
        for r in referrals
    )


def _tell_executives(
    referrals: list[Referral], opportunity: Opportunity, *, what: str, subject: str, reason: str
) -> None:
    executives = executives_by_organisation(r.organisation_id for r in referrals)
    stamp = timezone.now().isoformat()
    for referral in referrals:
        notification_create_many(
            board=opportunity.board,
            recipients=executives.get(referral.organisation_id, set()),
            kind=Notification.Kind.REFERRAL_CLOSED,
            event_key=f"referral-{what}:{referral.pk}:{stamp}",
            subject=subject,
            link=referral.get_absolute_url(),
            payload=opportunity.message_payload(referral=referral, what=what, reason=reason),
        )


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
        at=opportunity.updated_at,
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
    marking: Marking | None = None,
) -> Recommendation:
    """Record the board's recommendation (or a revised one) on an opportunity.

    Creates the next version with one referral per body (not yet sent). (Recorded from a
    meeting's agenda item, the meetings app links it to that item.) A revision supersedes
    the previous version: its undecided referrals can no longer be decided, while its decided
    ones stay visible. The opportunity becomes "recommended". Appends audit events. Marked
    ``marking`` (the secretariat's body's default when not given).
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
        **marking_fields(marking or actor.default_handling),
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
    reason = f"Recommendation v{previous.version} was replaced by a revised recommendation"
    open_referrals = list(previous.referrals.open().select_related("organisation"))
    withdrawn = previous.referrals.filter(pk__in=[r.pk for r in open_referrals]).update(
        status=Referral.Status.SUPERSEDED,
        closed_at=now,
        closed_reason=reason,
        paused_on=None,
        revision=F("revision") + 1,
    )
    _lifecycle_events(
        open_referrals, ReferralEvent.Kind.CLOSED, actor, reason, outcome=Referral.Status.SUPERSEDED
    )
    sent = [referral for referral in open_referrals if referral.sent_at is not None]
    if sent:
        _tell_executives(
            sent,
            previous.opportunity,
            what="closed",
            subject=f"{previous.opportunity.reference}: recommendation v{previous.version} was "
            "replaced; no decision on it is needed",
            reason=reason,
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
    # The wording and its papers: OFFICIAL-SENSITIVE ones are not e-mailed, only linked.
    marking = strictest(
        [recommendation.handling, *(paper.handling for paper in recommendation.papers.all())]
    )
    for referral in referrals:
        notification_create_many(
            board=opportunity.board,
            recipients=executives_of(referral.organisation),
            kind=Notification.Kind.REFERRAL_SENT,
            marking=marking,
            event_key=f"referral-sent:{referral.pk}",
            subject=f"{opportunity.reference}: a recommendation awaits the decision of "
            f"{referral.organisation.executive_body}",
            link=referral.get_absolute_url(),
            payload=opportunity.message_payload(
                referral=referral,
                wording=recommendation.wording,
                executive_body=referral.organisation.executive_body,
                due_on=f"{recommendation.decision_due_on:%-d %B %Y}",
            ),
        )
        referral.sent_at = now
        referral_awaits_body(referral, opportunity, why="sent", event_key=f"sent:{referral.pk}")
    return recommendation


def referral_awaits_body(
    referral: Referral, opportunity: Opportunity, *, why: str, event_key: str
) -> None:
    """Tell the body's own case system, through its webhook if it has one, that the referral
    awaits its decision (a row in this transaction, POSTed after commit)."""
    webhook_deliveries_write(
        organisation=referral.organisation,
        board=opportunity.board,
        event="referral.awaiting",
        event_key=f"referral-awaiting:{event_key}",
        summary=f"{opportunity.reference}: awaits the decision of "
        f"{referral.organisation.executive_body} ({why})",
        payload={
            "referral": referral.pk,
            "why": why,
            "organisation": referral.organisation.short_name,
            "reference": opportunity.reference,
            "title": opportunity.title,
            "recommendation_version": referral.recommendation.version,
            "due_on": referral.due_on.isoformat() if referral.due_on else None,
            "api": f"/api/referrals/{referral.pk}",
            "page": referral.get_absolute_url(),
        },
    )


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
    marking: Marking | None = None,
) -> Referral:
    """Record a body's decision on a referred recommendation, exactly once.

    Locks the recommendation (so the bodies' decisions are taken one at a time and the outcome
    is judged on committed data), refuses a referral that is closed, paused or on an opportunity
    no longer awaiting decisions, updates the referral only if it is still undecided and
    unchanged since the person opened it, appends the decision to the referral's history (an
    earlier deferral stays there) with its supporting documents, appends an audit event,
    notifies the secretariat and the lead body, and, when the outcome is known, moves the
    opportunity to approved / not approved (closing the other open referrals) and tells the
    board and every executive concerned. ``notice`` holds what the decision notice records (who
    took it, where, when, why, on what conditions); a final decision's notice PDF is built
    after commit. ``marking`` is the decision's handling marking (its documents' and its
    notice's; the body's default when not given).
    """
    if not can_decide_for(actor, referral.organisation):
        raise ReferralNotDecidable(
            f"You may not record decisions for {referral.organisation.name}."
        )
    return record_decision(
        referral=referral,
        actor=actor,
        outcome=outcome,
        reference=reference,
        notes=notes,
        seen_revision=seen_revision,
        documents=documents,
        decided_by=actor,
        notice=notice,
        marking=marking,
    )


def record_decision(
    *,
    referral: Referral,
    actor: User,
    outcome: str,
    reference: str,
    notes: str,
    seen_revision: int,
    documents: "Iterable[tuple[UploadedFile[bytes], Kind]]",
    decided_by: User | None,
    notice: "DecisionNoticeFields | None" = None,
    on_behalf: bool = False,
    marking: Marking | None = None,
) -> Referral:
    """The steps ``referral_decide`` and ``referral_record_on_behalf`` share; the caller has
    checked who may record it and holds the transaction. A final decision's notice PDF is asked
    for, whoever recorded it."""
    notice = notice or DecisionNoticeFields()
    recommendation = _lock_recommendation(referral.recommendation_id)
    if outcome not in Referral.DECISIONS:
        raise ReferralNotDecidable("Choose approve, approve with conditions, decline or defer.")
    current = Referral.objects.select_related("recommendation__opportunity").get(pk=referral.pk)
    current.recommendation = recommendation
    refusal = current.refusal()
    if refusal:
        raise ReferralNotDecidable(refusal)
    now = timezone.now()
    marking = marking or referral.organisation.default_handling
    recorded = Referral.objects.filter(
        pk=referral.pk,
        status__in=Referral.DECIDABLE,
        sent_at__isnull=False,
        revision=seen_revision,
        recommendation__superseded_at__isnull=True,
    ).update(
        status=outcome,
        decided_at=now,
        decided_by=decided_by,
        on_behalf=on_behalf,
        recorded_by=actor,
        executive_body=referral.organisation.executive_body,
        decision_reference=reference,
        notes=notes,
        revision=F("revision") + 1,
        **notice.as_update(),
        **marking_fields(marking),
    )
    if recorded != 1:
        raise ReferralNotDecidable(_why_not_decidable(referral, seen_revision))
    referral.refresh_from_db()
    event = ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEvent.Kind.DECISION,
        outcome=outcome,
        reference=reference,
        note=notes,
        actor=actor,
        decided_by=decided_by,
        decision_maker=notice.decision_maker,
        decision_forum=notice.decision_forum,
        on_behalf=on_behalf,
        at=now,
    )
    attach_documents(referral, event, actor, documents, marking)
    opportunity = recommendation.opportunity
    on_behalf_of = f" (recorded for it by {actor.full_name})" if on_behalf else ""
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="decision",
        summary=f"{referral.organisation.executive_body} ({referral.organisation.short_name}): "
        f"{referral.get_status_display()}"
        + (f", ref. {reference}" if reference else "")
        + on_behalf_of,
        before={"referral": referral.pk, "status": current.status},
        after={"referral": referral.pk, "status": outcome, "notes": notes},
    )
    _notify_decision(referral, opportunity, marking)
    _apply_outcome(recommendation, opportunity, actor)
    pack_services.notice_request_build(referral=referral, marking=marking)
    return referral


def attach_documents(
    referral: Referral,
    event: ReferralEvent,
    actor: User,
    documents: "Iterable[tuple[UploadedFile[bytes], Kind]]",
    marking: Marking | None = None,
) -> None:
    """Store content-checked uploads with the step of the decision record they came with,
    marked ``marking`` (the uploader's body's default when not given)."""
    fields = marking_fields(marking or actor.default_handling)
    for upload, kind in documents:
        # Form-validated uploads: a file field refuses one without a name, detect_kind an empty one.
        assert upload.name is not None and upload.size is not None
        ReferralDocument.objects.create(
            referral=referral,
            event=event,
            file=upload,
            original_name=safe_original_name(upload.name, kind),
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=actor,
            **fields,
        )


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
            govuk.govuk_datetime(timezone.localtime(current.decided_at))
            if current.decided_at
            else ""
        )
        return (
            f"This referral was already decided by {who}{' on ' + when if when else ''}: "
            f"{current.get_status_display().lower()}. Nothing was changed."
        )
    return "This referral cannot be decided now."


def _notify_decision(referral: Referral, opportunity: Opportunity, marking: Marking) -> None:
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
        marking=marking,
        event_key=f"decision:{referral.pk}:{referral.revision}",
        subject=f"{opportunity.reference}: {referral.organisation.short_name} — "
        f"{referral.get_status_display().lower()}",
        link=opportunity.get_absolute_url(),
        payload=opportunity.message_payload(
            referral=referral,
            executive_body=referral.executive_body,
            decision=referral.get_status_display(),
            decision_reference=referral.decision_reference,
            notes=referral.notes,
        ),
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
    executives = executives_by_organisation(
        recommendation.referrals.values_list("organisation_id", flat=True)
    )
    notification_create_many(
        board=opportunity.board,
        recipients={
            *board_people(opportunity.board),
            *(person for people in executives.values() for person in people),
        },
        kind=Notification.Kind.OUTCOME_KNOWN,
        event_key=f"outcome:{recommendation.pk}",
        subject=f"{opportunity.reference}: {Outcome(outcome).label.lower()}",
        link=opportunity.get_absolute_url(),
        payload=opportunity.message_payload(
            outcome=Outcome(outcome).label, version=recommendation.version
        ),
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


# The fields' names as the edit form shows them, for the audit trail's sentences.
FIELD_LABELS = {name: _label(name) for name in (*EDITABLE_FIELDS, "participating")}


@transaction.atomic
def opportunity_resume(*, opportunity: Opportunity, actor: User, reason: str) -> Opportunity:
    """The secretariat resumes the decisions it put on hold.

    Refuses an opportunity not on hold, or on hold without paused referrals (one put on hold
    before it was recommended goes back by the ordinary status change), and an empty reason.
    Moves the opportunity back to "awaiting decisions"; the paused referrals restart with their
    due dates moved on by the days they were paused, with a "resumed" step on each referral's
    record, and their bodies' executives are told (``opportunity_transition``).
    """
    Opportunity.objects.select_for_update().only("pk").get(pk=opportunity.pk)
    opportunity.refresh_from_db()
    paused = Referral.objects.filter(
        recommendation__opportunity=opportunity,
        recommendation__superseded_at__isnull=True,
        paused_on__isnull=False,
    ).open()
    if opportunity.status != Status.ON_HOLD or not paused.exists():
        raise WorkflowError(
            f"{opportunity.reference} has no decisions on hold to resume. Change its status "
            "instead."
        )
    if not reason.strip():
        raise WorkflowError("Give the reason for resuming the decisions: it is kept on the record.")
    return opportunity_transition(
        opportunity=opportunity,
        actor=actor,
        to=Status.AWAITING_DECISIONS,
        automatic=True,
        reason=reason,
    )

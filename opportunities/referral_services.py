"""The decision record of one referral beyond the body's own decision: questions and answers
between an executive and the secretariat, a decision recorded by the secretariat on a body's
behalf, and the body's dispute of it."""

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import audit_record
from boards.models import BoardMembership, User
from boards.permissions import can_decide_for, is_secretariat
from boards.selectors import board_people, executives_of
from core.markings import Marking
from core.uploads import Kind
from notifications.models import Notification
from notifications.services import notification_create_many

from .models import Referral, ReferralEvent, Status
from .services import (
    DecisionNoticeFields,
    ReferralNotDecidable,
    WorkflowError,
    attach_documents,
    opportunity_transition,
    record_decision,
    referral_awaits_body,
)


def _load(referral: Referral) -> Referral:
    return Referral.objects.select_related(
        "organisation", "recommendation__opportunity__board"
    ).get(pk=referral.pk)


# --- questions and answers ----------------------------------------------------------------------


@transaction.atomic
def referral_ask(*, referral: Referral, actor: User, question: str) -> ReferralEvent:
    """An executive of the referral's body (or the secretariat for them) asks a question.

    Refuses anyone else, an empty question and a referral closed or superseded. Appends the
    question to the referral's record and an audit event, and notifies the board's secretariat
    and the body's executives (the asker excepted).
    """
    referral = _load(referral)
    opportunity = referral.recommendation.opportunity
    if not (
        can_decide_for(actor, referral.organisation) or is_secretariat(actor, opportunity.board)
    ):
        raise WorkflowError(
            f"Only an executive of {referral.organisation.name} or the board's secretariat may "
            "ask a question on this referral."
        )
    if referral.is_closed or referral.recommendation.superseded_at:
        raise WorkflowError("This referral is closed; questions can no longer be asked on it.")
    if not question.strip():
        raise WorkflowError("Write the question.")
    event = ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.QUESTION, note=question.strip(), actor=actor
    )
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="question",
        summary=f"Question on the referral to {referral.organisation.short_name}",
        after={"referral": referral.pk, "question": event.note},
    )
    _notify_thread(referral, event, subject="a question on the referral to")
    return event


@transaction.atomic
def referral_answer(
    *,
    referral: Referral,
    actor: User,
    answer: str,
    documents: "Iterable[tuple[UploadedFile[bytes], Kind]]" = (),
    marking: Marking | None = None,
) -> ReferralEvent:
    """The secretariat answers a question or a deferral's request for more information.

    Refuses anyone but the board's secretariat, an empty answer and a referral with nothing
    waiting for an answer. Appends the answer (with its documents) to the referral's record and
    an audit event, and notifies the body's executives and the board's secretariat.
    """
    referral = _load(referral)
    opportunity = referral.recommendation.opportunity
    if not is_secretariat(actor, opportunity.board):
        raise WorkflowError("Only the board's secretariat may answer on a referral.")
    if not answer.strip():
        raise WorkflowError("Write the answer.")
    if not awaits_answer(referral):
        raise WorkflowError("There is no question or request for more information to answer.")
    event = ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.ANSWER, note=answer.strip(), actor=actor
    )
    attach_documents(referral, event, actor, documents, marking)
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="answer",
        summary=f"Answer on the referral to {referral.organisation.short_name}",
        after={"referral": referral.pk, "answer": event.note},
    )
    _notify_thread(referral, event, subject="an answer on the referral to")
    return event


def awaits_answer(referral: Referral) -> bool:
    """A question, or a deferral asking for more information, came after the last answer."""
    asking = Q(kind=ReferralEvent.Kind.QUESTION) | Q(
        kind=ReferralEvent.Kind.DECISION, outcome=Referral.Status.DEFERRED
    )
    last = (
        ReferralEvent.objects.filter(referral=referral)
        .filter(asking | Q(kind=ReferralEvent.Kind.ANSWER))
        .order_by("-at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return last is not None and last != ReferralEvent.Kind.ANSWER


def _notify_thread(referral: Referral, event: ReferralEvent, *, subject: str) -> None:
    opportunity = referral.recommendation.opportunity
    recipients = {
        *executives_of(referral.organisation),
        *board_people(opportunity.board, roles=[BoardMembership.Role.SECRETARIAT]),
    }
    if event.actor is not None:
        recipients.discard(event.actor)
    notification_create_many(
        board=opportunity.board,
        recipients=recipients,
        kind=Notification.Kind.CLARIFICATION,
        event_key=f"clarification:{event.pk}",
        subject=f"{opportunity.reference}: {subject} {referral.organisation.short_name}",
        link=referral.get_record_url(),
        payload=opportunity.message_payload(
            referral=referral,
            kind=event.get_kind_display(),
            by=event.actor.full_name if event.actor else "",
            text=event.note,
        ),
    )


# --- recorded on the body's behalf, and disputed -------------------------------------------------


@transaction.atomic
def referral_record_on_behalf(
    *,
    referral: Referral,
    actor: User,
    outcome: str,
    reference: str,
    notes: str,
    seen_revision: int,
    decided_by: User | None,
    notice: DecisionNoticeFields,
    documents: "Iterable[tuple[UploadedFile[bytes], Kind]]" = (),
    marking: Marking | None = None,
) -> Referral:
    """The secretariat records a body's decision taken elsewhere (its Cabinet, the
    Commissioner's decision meeting), naming the executive, the person or the forum who took it
    (``notice``: the decision notice's maker, forum, date, reasons and conditions).

    Refuses anyone but the board's secretariat, a named executive without authority for the
    body, and neither an executive nor a forum named. Records the decision as the executive's
    own would be (``record_decision``: history, evidence, audit, notices, the outcome, the
    decision notice's PDF), marked
    "recorded by ... on behalf of ...", and notifies the body's executives, who may dispute it
    within ``DECISION_DISPUTE_DAYS`` days.
    """
    referral = _load(referral)
    opportunity = referral.recommendation.opportunity
    if not is_secretariat(actor, opportunity.board):
        raise ReferralNotDecidable("Only the board's secretariat may record a decision for a body.")
    if decided_by is not None and not can_decide_for(decided_by, referral.organisation):
        raise ReferralNotDecidable(
            f"{decided_by.full_name} does not hold executive authority for "
            f"{referral.organisation.name}."
        )
    if decided_by is None and not (notice.decision_maker or notice.decision_forum).strip():
        raise ReferralNotDecidable("Name the executive or the forum that took the decision.")
    referral = record_decision(
        referral=referral,
        actor=actor,
        outcome=outcome,
        reference=reference,
        notes=notes,
        seen_revision=seen_revision,
        documents=documents,
        decided_by=decided_by,
        notice=notice,
        on_behalf=True,
        marking=marking,
    )
    until = referral.dispute_until
    notification_create_many(
        board=opportunity.board,
        recipients=executives_of(referral.organisation),
        kind=Notification.Kind.DECISION_ON_BEHALF,
        marking=marking or referral.organisation.default_handling,
        event_key=f"on-behalf:{referral.pk}:{referral.revision}",
        subject=f"{opportunity.reference}: the decision of {referral.organisation.executive_body} "
        f"was recorded for it by {actor.full_name}",
        link=referral.get_record_url(),
        payload=opportunity.message_payload(
            referral=referral,
            decision=referral.status_label,
            decision_reference=reference,
            recorded_by=actor.full_name,
            decided_by=", ".join(
                name
                for name in (
                    notice.decision_maker or (decided_by.full_name if decided_by else ""),
                    notice.decision_forum,
                )
                if name
            ),
            dispute_until=f"{until:%-d %B %Y}" if until else "",
        ),
    )
    return referral


@transaction.atomic
def referral_dispute(*, referral: Referral, actor: User, reason: str) -> Referral:
    """An executive of the body disputes a decision the secretariat recorded on its behalf.

    Refuses anyone without authority for the body, a decision not recorded on its behalf, a
    dispute after ``DECISION_DISPUTE_DAYS`` days, an opportunity that has moved beyond its
    outcome, and an empty reason. Reopens the referral (awaiting the body's decision again, the
    dispute on its record); when that decision had settled the outcome, the opportunity goes
    back to "awaiting decisions" and the referrals the outcome closed reopen. Appends an audit
    event and notifies the board's secretariat.
    """
    referral = _load(referral)
    opportunity = referral.recommendation.opportunity
    if not can_decide_for(actor, referral.organisation):
        raise WorkflowError(f"Only an executive of {referral.organisation.name} may dispute it.")
    if not referral.on_behalf or referral.status not in Referral.DECISIONS:
        raise WorkflowError("Only a decision recorded on your body's behalf can be disputed.")
    if not referral.is_disputable:
        raise WorkflowError(
            "The time to dispute this decision has passed; ask the board's secretariat."
        )
    reopening = opportunity.status in (Status.APPROVED, Status.NOT_APPROVED)
    if not reopening and opportunity.status != Status.AWAITING_DECISIONS:
        raise WorkflowError(
            f"{opportunity.reference} is {opportunity.status_label.lower()}; ask the board's "
            "secretariat to put the record right."
        )
    if not reason.strip():
        raise WorkflowError("Say why the decision recorded is not your body's.")
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.PENDING,
        decided_at=None,
        decided_by=None,
        on_behalf=False,
        recorded_by=None,
        decision_reference="",
        notes="",
        revision=F("revision") + 1,
        **DecisionNoticeFields().as_update(),
    )
    ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.DISPUTE, note=reason.strip(), actor=actor
    )
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="disputed",
        summary=f"{referral.organisation.short_name} disputed the decision recorded on its "
        f"behalf: {reason.strip()}",
        before={"referral": referral.pk, "status": referral.status},
        after={"referral": referral.pk, "status": Referral.Status.PENDING},
    )
    if reopening:
        opportunity_transition(
            opportunity=opportunity,
            actor=actor,
            to=Status.AWAITING_DECISIONS,
            automatic=True,
            reason=f"{referral.organisation.short_name} disputed the decision recorded for it",
        )
    notification_create_many(
        board=opportunity.board,
        recipients=board_people(opportunity.board, roles=[BoardMembership.Role.SECRETARIAT]),
        kind=Notification.Kind.DECISION_DISPUTED,
        event_key=f"disputed:{referral.pk}:{timezone.now().isoformat()}",
        subject=f"{opportunity.reference}: {referral.organisation.short_name} disputes the "
        "decision recorded on its behalf",
        link=referral.get_record_url(),
        payload=opportunity.message_payload(
            referral=referral, by=actor.full_name, reason=reason.strip()
        ),
    )
    referral.refresh_from_db()
    referral_awaits_body(
        referral,
        opportunity,
        why="disputed",
        event_key=f"disputed:{referral.pk}:{timezone.now().isoformat()}",
    )
    return referral

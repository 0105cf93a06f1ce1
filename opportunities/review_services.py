"""Keeping opportunities under review: recording a review with the benefits it found, setting
each body's estimated benefits, and reading the benefits per body back.

Benefit rows mean:
- ``estimated``: the cashable £ (and non-cashable benefits) a body expects from the opportunity
  in total by ``period_end``. A new estimate is a new row; the latest row per body (by
  ``recorded_at``, then id) is the current estimate and earlier rows are its history.
- ``realised``: what a review found the body realised in the period ending ``period_end`` (the
  review's date); their sum is the benefit realised to date.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.selectors import changes_since
from audit.services import audit_record
from boards.models import Organisation, User
from core.batching import batch_size_for
from core.concurrency import ensure_current, version_token

from .models import Benefit, Opportunity, Rag, Review, Status
from .selectors import current_estimates, opportunity_bodies
from .services import WorkflowError, opportunity_ensure_current


@dataclass(frozen=True)
class BodyBenefit:
    """One body's line of a review or an estimate, as the forms give it."""

    organisation: Organisation
    cashable: Decimal = Decimal("0")
    non_cashable: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.cashable and not self.non_cashable.strip()


@transaction.atomic
def review_record(
    *,
    opportunity: Opportunity,
    actor: User,
    held_on: date,
    conclusion: str,
    rag: str,
    non_cashable_realised: str = "",
    next_review_on: date | None,
    benefits: Iterable[BodyBenefit] = (),
    seen_version: str | None = None,
) -> Review:
    """Record a review of an opportunity under review.

    Locks the opportunity, checks the review can be recorded (a reviewable state, a held date
    not in the future nor before the last review, a next date after it — required while in
    delivery or on hold —, benefits only for the opportunity's bodies and never below £0),
    writes the review and one realised benefit row per body with something to report, sets the
    opportunity's next review date and RAG, and appends a "reviewed" audit event. Refused with
    ``EditConflict`` when the opportunity changed after the form was opened (``seen_version``).
    """
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    opportunity_ensure_current(opportunity, seen_version)
    benefits = [line for line in benefits if not line.is_empty]
    _check_review(opportunity, held_on, rag, next_review_on, benefits)
    review = Review.objects.create(
        opportunity=opportunity,
        held_on=held_on,
        conclusion=conclusion,
        rag=rag,
        non_cashable_realised=non_cashable_realised,
        next_review_on=next_review_on,
        recorded_by=actor,
    )
    Benefit.objects.bulk_create(
        (
            Benefit(
                opportunity=opportunity,
                organisation=line.organisation,
                kind=Benefit.Kind.REALISED,
                cashable=line.cashable,
                non_cashable=line.non_cashable,
                period_end=held_on,
                review=review,
                recorded_by=actor,
            )
            for line in benefits
        ),
        batch_size=batch_size_for(Benefit),
    )
    before = {"next_review_on": _iso(opportunity.next_review_on), "rag": opportunity.rag}
    now = timezone.now()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        next_review_on=next_review_on, rag=rag, updated_at=now
    )
    total = sum((line.cashable for line in benefits), Decimal("0"))
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="reviewed",
        summary=f"Review held on {held_on:%-d %B %Y}: RAG {Rag(rag).label.lower()}, "
        f"£{total:,.0f} cashable realised, "
        + (f"next review {next_review_on:%-d %B %Y}" if next_review_on else "no further review"),
        before=before,
        after={
            "next_review_on": _iso(next_review_on),
            "rag": rag,
            "review": review.pk,
            "realised": {line.organisation.short_name: f"{line.cashable:.2f}" for line in benefits},
        },
        at=now,
    )
    return review


def _check_review(
    opportunity: Opportunity,
    held_on: date,
    rag: str,
    next_review_on: date | None,
    benefits: list[BodyBenefit],
) -> None:
    if not opportunity.is_under_review:
        raise WorkflowError(
            f"{opportunity.reference} is {Status(opportunity.status).label.lower()}; reviews are "
            "recorded while an opportunity is in delivery, on hold or implemented."
        )
    if held_on > timezone.localdate():
        raise WorkflowError("A review cannot be recorded before it is held.")
    last = opportunity.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    if last and held_on < last:
        raise WorkflowError(f"A later review, held on {last:%-d %B %Y}, is already recorded.")
    if rag not in Rag.values:
        raise WorkflowError("Choose a RAG rating: red, amber or green.")
    if next_review_on is None and opportunity.review_date_required:
        raise WorkflowError("Give the date of the next review.")
    if next_review_on is not None and next_review_on <= held_on:
        raise WorkflowError("The next review must come after this one.")
    _check_lines(opportunity, benefits)


def _check_lines(opportunity: Opportunity, lines: list[BodyBenefit]) -> None:
    allowed = {body.pk for body in opportunity_bodies(opportunity)}
    seen: set[int] = set()
    for line in lines:
        if line.organisation.pk not in allowed:
            raise WorkflowError(f"{line.organisation.name} does not take part in this opportunity.")
        if line.organisation.pk in seen:
            raise WorkflowError(f"{line.organisation.name} is given twice.")
        if line.cashable < 0:
            raise WorkflowError("Enter amounts of £0 or more.")
        seen.add(line.organisation.pk)


@transaction.atomic
def benefit_estimates_set(
    *,
    opportunity: Opportunity,
    actor: User,
    period_end: date,
    estimates: Iterable[BodyBenefit],
    seen_version: str | None = None,
) -> list[Benefit]:
    """Set the estimated benefits per body, keeping the earlier estimates as history.

    Writes a new estimated row for each body whose estimate (amount, text or period) differs
    from its current one — a body never estimated and left empty gets none — and appends an
    "estimated" audit event naming the changes. Returns the rows written (none: nothing
    changed). Refused with ``EditConflict`` when someone set estimates after the form was
    opened on ``seen_version`` (``estimates_version``).
    """
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    ensure_current(
        current=_latest_estimate_at(opportunity),
        seen=seen_version,
        what=f"the estimated benefits of {opportunity.reference}",
        changes=lambda since: changes_since(opportunity, since, verbs=("estimated",)),
    )
    if opportunity.status in (Status.CLOSED, Status.WITHDRAWN):
        raise WorkflowError(
            f"{opportunity.reference} is {Status(opportunity.status).label.lower()}; its "
            "estimates are kept as they were."
        )
    estimates = list(estimates)
    _check_lines(opportunity, estimates)
    current = current_estimates(opportunity)
    now = timezone.now()
    rows = [
        Benefit(
            opportunity=opportunity,
            organisation=line.organisation,
            kind=Benefit.Kind.ESTIMATED,
            cashable=line.cashable,
            non_cashable=line.non_cashable,
            period_end=period_end,
            recorded_by=actor,
            recorded_at=now,
        )
        for line in estimates
        if _estimate_changed(current.get(line.organisation.pk), line, period_end)
    ]
    if not rows:
        return []
    Benefit.objects.bulk_create(rows, batch_size=batch_size_for(Benefit))
    audit_record(
        subject=opportunity,
        actor=actor,
        verb="estimated",
        summary="Estimated benefits to "
        + ", ".join(f"{row.organisation.short_name} £{row.cashable:,.0f}" for row in rows)
        + f" by {period_end:%-d %B %Y}",
        before={
            row.organisation.short_name: _money(current.get(row.organisation.pk)) for row in rows
        },
        after={row.organisation.short_name: f"{row.cashable:.2f}" for row in rows},
        at=now,
    )
    return rows


def estimates_version(opportunity: Opportunity) -> str:
    """The version of an opportunity's estimates an estimates form carries: when the last
    estimate was set."""
    return version_token(_latest_estimate_at(opportunity))


def _latest_estimate_at(opportunity: Opportunity) -> datetime | None:
    return (
        Benefit.objects.filter(opportunity=opportunity, kind=Benefit.Kind.ESTIMATED)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )


def _estimate_changed(current: Benefit | None, line: BodyBenefit, period_end: date) -> bool:
    if current is None:
        return not line.is_empty
    return (current.cashable, current.non_cashable.strip(), current.period_end) != (
        line.cashable,
        line.non_cashable.strip(),
        period_end,
    )


# --- reading the benefits back ------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money(benefit: Benefit | None) -> str | None:
    return f"{benefit.cashable:.2f}" if benefit else None

"""Reads of the register: the register as a person may see it, filtered; the decision matrix;
the referrals awaiting a decision; each body's current benefit estimates."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import QueryDict
from django.utils import timezone

from boards.models import Board, Organisation
from boards.permissions import Person, boards_of, executive_organisation_ids
from core.markings import Marking, strictest

from . import permissions
from .forms import RegisterFilterForm
from .models import (
    REVIEWS_DUE_WITHIN_DAYS,
    Benefit,
    DecisionNotice,
    Opportunity,
    OpportunityQuerySet,
    Recommendation,
    Referral,
    ReferralDocument,
    ReferralEvent,
    Status,
)


def register_filtered(
    person: Person, data: QueryDict
) -> tuple[RegisterFilterForm, OpportunityQuerySet, str]:
    """The register as the person may see it, with the query string's filters (bad values are
    ignored, the form says why) and the field to sort by: for the page and its downloads."""
    organisations = list(
        Organisation.objects.filter(boards__in=boards_of(person))
        .distinct()
        .order_by("name")
        .only("name")
    )
    form = RegisterFilterForm(data or None, organisations=organisations)
    opportunities = permissions.opportunities_visible_to(person)
    sort = "-updated_at"
    if form.is_valid():
        opportunities = filter_register(opportunities, form.cleaned_data)
        sort = RegisterFilterForm.SORTS.get(
            form.cleaned_data["sort"] or "-updated", ("-updated_at",)
        )[0]
    return form, opportunities, sort


def filter_register(
    opportunities: OpportunityQuerySet, data: dict[str, Any]
) -> OpportunityQuerySet:
    """The register narrowed by the filter form's cleaned values."""
    if data["q"]:
        text = data["q"].strip()
        match = Q(title__icontains=text) | Q(summary__icontains=text)
        reference = text.upper().removeprefix("BLC-").lstrip("0")
        if reference.isascii() and reference.isdigit():
            match |= Q(pk=int(reference))
        opportunities = opportunities.filter(match)
    for name, lookup in (
        ("status", "status"),
        ("theme", "theme"),
        ("rag", "rag"),
        ("lead", "lead_organisation"),
    ):
        if data[name]:
            opportunities = opportunities.filter(**{lookup: data[name]})
    if data["body"]:
        opportunities = opportunities.filter(participating_organisations__id=data["body"])
    today = timezone.localdate()
    if data["review"] == "overdue":
        opportunities = opportunities.review_overdue(today)
    elif data["review"] == "30":
        opportunities = opportunities.under_review().filter(
            next_review_on__gte=today,
            next_review_on__lte=today + timedelta(days=REVIEWS_DUE_WITHIN_DAYS),
        )
    return opportunities


def with_participating_names(opportunities: list[Opportunity]) -> list[Opportunity]:
    """Attach each opportunity's participating bodies' short names, in one query for the page
    (lighter than a prefetch of whole organisations for a column of names)."""
    names: dict[int, list[str]] = {opportunity.pk: [] for opportunity in opportunities}
    links = (
        Opportunity.participating_organisations.through.objects.filter(opportunity_id__in=names)
        .order_by("organisation__short_name")
        .values_list("opportunity_id", "organisation__short_name")
    )
    for opportunity_id, short_name in links:
        names[opportunity_id].append(short_name)
    for opportunity in opportunities:
        opportunity.participating_names = ", ".join(names[opportunity.pk])
    return opportunities


# What the matrix and its downloads show of each body's decision.
MATRIX_REFERRAL_FIELDS = (
    "recommendation_id",
    "organisation_id",
    "status",
    "due_on",
    "paused_on",
    "decided_at",
    "on_behalf",
    "decision_reference",
    "decision_taken_on",
    "decision_maker",
    "decision_forum",
    "conditions",
    "notes",
    "decided_by__full_name",
    "recorded_by__full_name",
    "organisation__name",
)


def matrix_recommendations(board: Board) -> QuerySet[Recommendation]:
    """The board's sent recommendations, newest first, each with its referrals (prefetched)."""
    return (
        Recommendation.objects.filter(opportunity__board=board, sent_at__isnull=False)
        .select_related("opportunity")
        # What the matrix and its downloads show: a recommendation's pack and wording, and the
        # search columns, are wide and never shown there.
        .only(
            "version",
            "superseded_at",
            "agreed_on",
            "decision_due_on",
            "sent_at",
            "opportunity__title",
        )
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related(
                    "decided_by", "recorded_by", "organisation"
                ).only(*MATRIX_REFERRAL_FIELDS),
            )
        )
        .order_by("-sent_at", "-pk")
    )


def matrix_marking(board: Board) -> Marking:
    """The strictest marking of what the decision matrix holds: the board's sent
    recommendations, their decisions and the decisions' notices (three queries, however many
    rows)."""
    recommendations = Recommendation.objects.filter(opportunity__board=board, sent_at__isnull=False)
    notices = DecisionNotice.objects.filter(referral__recommendation__in=recommendations)
    decisions = Referral.objects.filter(recommendation__in=recommendations)
    pairs = {
        *recommendations.values_list("marking", "marking_descriptors").distinct(),
        *notices.values_list("marking", "marking_descriptors").distinct(),
        *decisions.values_list("marking", "marking_descriptors").distinct(),
    }
    return strictest(Marking.of(level, descriptor) for level, descriptor in pairs)


def estimated_totals(opportunity_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each opportunity's estimated cashable benefit: its bodies' current estimates added up
    (one query for them all; an opportunity without estimates is absent)."""
    rows = (
        Benefit.objects.counted()
        .filter(kind=Benefit.Kind.ESTIMATED, opportunity_id__in=list(opportunity_ids))
        .order_by()
        .values("opportunity_id")
        .annotate(total=Sum("cashable"))
    )
    return {row["opportunity_id"]: row["total"] for row in rows}


def current_estimates(opportunity: Opportunity) -> dict[int, Benefit]:
    """The latest estimate of each body, by body id (one query; an opportunity has a handful of
    estimates, so the newest of each body is picked here rather than with PostgreSQL's
    DISTINCT ON, which the embedded SQLite default lacks)."""
    rows = (
        Benefit.objects.filter(opportunity=opportunity, kind=Benefit.Kind.ESTIMATED)
        .select_related("organisation")
        .order_by("organisation_id", "-recorded_at", "-pk")
    )
    latest: dict[int, Benefit] = {}
    for row in rows:
        latest.setdefault(row.organisation_id, row)
    return latest


# --- the home page's panels ---------------------------------------------------------------------
ATTENTION_LIMIT = 10
# What a line of a home panel shows of a referral (a recommendation's pack and the search
# columns are wide, and never shown there).
ATTENTION_REFERRAL_FIELDS = (
    "status",
    "due_on",
    "recommendation__opportunity__title",
    "organisation__name",
    "organisation__short_name",
)


def referrals_awaiting(person: Person, limit: int = ATTENTION_LIMIT) -> list[Referral]:
    """The most urgent referrals awaiting a decision by one of the person's bodies."""
    bodies = executive_organisation_ids(person)
    if not bodies:
        return []
    return list(
        Referral.objects.for_executive(bodies)
        .awaiting_decision()
        .select_related("organisation", "recommendation__opportunity")
        .only(*ATTENTION_REFERRAL_FIELDS)
        .order_by("due_on", "pk")[:limit]
    )


def overdue_decisions(boards: list[Board], limit: int = ATTENTION_LIMIT) -> list[Referral]:
    """The longest overdue decisions on these boards' recommendations."""
    if not boards:
        return []
    return list(
        Referral.objects.awaiting_decision()
        .filter(recommendation__opportunity__board__in=boards, due_on__lt=timezone.localdate())
        .select_related("organisation", "recommendation__opportunity")
        .only(*ATTENTION_REFERRAL_FIELDS)
        .order_by("due_on", "pk")[:limit]
    )


# --- benefits -----------------------------------------------------------------------------------


def opportunity_bodies(opportunity: Opportunity) -> list[Organisation]:
    """The lead body and the participating bodies, by name: those benefits are recorded for."""
    return list(
        Organisation.objects.filter(
            Q(pk=opportunity.lead_organisation_id) | Q(opportunities=opportunity)
        )
        .distinct()
        .order_by("name")
    )


def bodies_of(opportunity: Opportunity, participating: list[Organisation]) -> list[Organisation]:
    """``opportunity_bodies`` from what a page has already read (the lead body, selected with
    the opportunity, and the participating bodies): no query."""
    bodies = {body.pk: body for body in participating}
    bodies.setdefault(opportunity.lead_organisation_id, opportunity.lead_organisation)
    return sorted(bodies.values(), key=lambda body: body.name)


@dataclass
class BenefitLine:
    """A body's line of the benefits table: its current estimate and what has been realised."""

    organisation: Organisation
    estimate: Benefit | None = None
    realised: Decimal = Decimal("0")
    realised_notes: list[tuple[date, str]] = field(default_factory=list)

    @property
    def estimated(self) -> Decimal | None:
        return self.estimate.cashable if self.estimate else None


def benefits_of(opportunity: Opportunity) -> list[Benefit]:
    """Every benefit recorded for the opportunity, estimated and realised, with its body (one
    query): what ``benefits_by_body`` and the reviews' tables are drawn from."""
    return list(Benefit.objects.filter(opportunity=opportunity).select_related("organisation"))


def benefits_by_body(
    opportunity: Opportunity,
    bodies: list[Organisation],
    benefits: list[Benefit] | None = None,
) -> list[BenefitLine]:
    """Per body: the current estimate (its latest), the cashable benefit realised to date and
    the notes of non-cashable benefits realised, from ``benefits`` (``benefits_of``, read here
    when not given: one query, whatever the number of reviews)."""
    rows = benefits_of(opportunity) if benefits is None else benefits
    lines = {body.pk: BenefitLine(organisation=body) for body in bodies}
    latest: dict[int, Benefit] = {}
    for row in rows:
        if row.kind == Benefit.Kind.ESTIMATED:
            kept = latest.get(row.organisation_id)
            if kept is None or (row.recorded_at, row.pk) > (kept.recorded_at, kept.pk):
                latest[row.organisation_id] = row
    for organisation_id, estimate in sorted(latest.items()):
        lines.setdefault(organisation_id, BenefitLine(organisation=estimate.organisation))
        lines[organisation_id].estimate = estimate
    realised = sorted(
        (row for row in rows if row.kind == Benefit.Kind.REALISED),
        key=lambda row: (row.period_end, row.pk),
    )
    for row in realised:
        line = lines.setdefault(row.organisation_id, BenefitLine(organisation=row.organisation))
        line.realised += row.cashable
        if row.non_cashable.strip():
            line.realised_notes.append((row.period_end, row.non_cashable))
    return list(lines.values())


def new_proposals(boards: list[Board], limit: int = ATTENTION_LIMIT) -> list[Opportunity]:
    """Opportunities proposed on these boards and not yet taken into assessment, oldest first."""
    if not boards:
        return []
    return list(
        Opportunity.objects.filter(board__in=boards, status=Status.PROPOSED)
        .select_related("proposed_by")
        .only("title", "created_at", "board_id", "proposed_by__full_name")
        .order_by("created_at", "pk")[:limit]
    )


def questions_awaiting_answer(boards: list[Board], limit: int = ATTENTION_LIMIT) -> list[Referral]:
    """Referrals on these boards whose latest question or deferral has no answer yet."""
    if not boards:
        return []
    asking = Q(kind=ReferralEvent.Kind.QUESTION) | Q(
        kind=ReferralEvent.Kind.DECISION, outcome=Referral.Status.DEFERRED
    )
    last_asked = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"))
        .filter(asking)
        .order_by("-at")
        .values("at")[:1]
    )
    last_answered = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"), kind=ReferralEvent.Kind.ANSWER)
        .order_by("-at")
        .values("at")[:1]
    )
    return list(
        Referral.objects.filter(
            # Only referrals ever asked about (a few, found by the index of asking events) are
            # looked at further, rather than every undecided referral of the boards.
            pk__in=ReferralEvent.objects.filter(asking).values("referral_id"),
            recommendation__opportunity__board__in=boards,
            status__in=Referral.DECIDABLE,
            recommendation__superseded_at__isnull=True,
        )
        .annotate(asked_at=Subquery(last_asked), answered_at=Subquery(last_answered))
        .filter(asked_at__isnull=False)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__lt=F("asked_at")))
        .select_related("organisation", "recommendation__opportunity")
        .only(*ATTENTION_REFERRAL_FIELDS)
        .order_by("asked_at", "pk")[:limit]
    )


# --- the decision record ------------------------------------------------------------------------


def referral_history(
    referral: Referral, documents: Q | None = None, notes_shown: bool = True
) -> list[ReferralEvent]:
    """Every step of a referral's decision record, oldest first, with who took part and the
    documents given with each (three queries whatever their number); ``documents`` narrows
    those to what the reader may read (``permissions.decision_documents_q``). Without
    ``notes_shown`` (``permissions.reads_decision_notes``), the notes of its decisions are
    withheld."""
    shown = ReferralDocument.objects.filter(documents or Q()).order_by("uploaded_at", "pk")
    events = list(
        referral.events.select_related("actor", "decided_by").prefetch_related(
            Prefetch("documents", queryset=shown)
        )
    )
    if not notes_shown:
        for event in events:
            if event.kind == ReferralEvent.Kind.DECISION and event.note:
                event.note = permissions.WITHHELD_NOTES
    return events


def withhold_decision_notes(
    referrals: Iterable[Referral], person: Person | None = None
) -> list[Referral]:
    """The referrals as the reader may see them: an OFFICIAL-SENSITIVE decision's notes,
    reasons and conditions replaced by a line saying they are withheld, unless the reader reads
    the body's sensitive decision matter (``notes_readable`` from
    ``permissions.with_decision_notes_readable`` for a list; else asked of ``person``). Only
    for showing: the rows are never saved."""
    shown = []
    for referral in referrals:
        readable = getattr(referral, permissions.NOTES_READABLE, None)
        if readable is None:
            assert person is not None, "Give the reader, or annotate the referrals."
            readable = permissions.reads_decision_notes(person, referral)
        setattr(referral, "notes_withheld", not readable)  # noqa: B010 - shown, not saved
        if not readable:
            for name in ("notes", "reasons", "conditions"):
                if getattr(referral, name):
                    setattr(referral, name, permissions.WITHHELD_NOTES)
        shown.append(referral)
    return shown


def has_paused_decisions(opportunity: Opportunity) -> bool:
    """On hold with referrals paused that the secretariat may resume."""
    return (
        opportunity.status == Status.ON_HOLD
        and Referral.objects.filter(
            recommendation__opportunity=opportunity,
            recommendation__superseded_at__isnull=True,
            paused_on__isnull=False,
        )
        .open()
        .exists()
    )


# --- considered and not pursued -----------------------------------------------------------------


def not_pursued(board: Board) -> OpportunityQuerySet:
    """The board's opportunities withdrawn or closed without delivery, most recent first, with
    why and when they may be revisited."""
    return (
        Opportunity.objects.filter(board=board, not_pursued_on__isnull=False)
        .select_related("lead_organisation")
        .only(
            "title",
            "status",
            "theme",
            "board_id",
            "not_pursued_on",
            "not_pursued_reason",
            "revisit_on",
            "lead_organisation__name",
            "lead_organisation__short_name",
        )
        .order_by("-not_pursued_on", "-pk")
    )

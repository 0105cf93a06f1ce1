"""The collaboration register: opportunities, the board's recommendations on them, and the
referral of each recommendation to each body's executive."""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Self

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Organisation
from core.concurrency import version_token
from core.markings import Marked, descriptor_only_when_sensitive


class Theme(models.TextChoices):
    ESTATES = "estates", "Estates and shared premises"
    PREVENTION = "prevention", "Prevention (e.g. arson reduction)"
    RESPONSE = "response", "Response"
    CONTROL_ROOMS = "control_rooms", "Control rooms"
    TRAINING = "training", "Training"
    FLEET = "fleet", "Fleet"
    PROCUREMENT = "procurement", "Procurement"
    HEALTH_SOCIAL_CARE = "health_social_care", "Health and social care"
    DIGITAL = "digital", "ICT, data and digital"
    PEOPLE = "people", "People and support services"
    OTHER = "other", "Other"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    UNDER_ASSESSMENT = "under_assessment", "Under assessment"
    RECOMMENDED = "recommended", "Recommended"
    AWAITING_DECISIONS = "awaiting_decisions", "Awaiting decisions"
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"
    IN_DELIVERY = "in_delivery", "In delivery"
    IMPLEMENTED = "implemented", "Implemented"
    CLOSED = "closed", "Closed"
    ON_HOLD = "on_hold", "On hold"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Every allowed change of status. The secretariat moves an opportunity along these by hand,
# except the AUTOMATIC ones, which follow from referrals being sent and decided.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Status.UNDER_ASSESSMENT, Status.ON_HOLD, Status.WITHDRAWN}),
    Status.UNDER_ASSESSMENT: frozenset({Status.RECOMMENDED, Status.ON_HOLD, Status.WITHDRAWN}),
    Status.RECOMMENDED: frozenset(
        {Status.AWAITING_DECISIONS, Status.UNDER_ASSESSMENT, Status.ON_HOLD, Status.WITHDRAWN}
    ),
    Status.AWAITING_DECISIONS: frozenset(
        {
            Status.APPROVED,
            Status.NOT_APPROVED,
            Status.RECOMMENDED,
            Status.ON_HOLD,
            Status.WITHDRAWN,
        }
    ),
    Status.APPROVED: frozenset({Status.IN_DELIVERY, Status.CLOSED, Status.AWAITING_DECISIONS}),
    Status.NOT_APPROVED: frozenset({Status.RECOMMENDED, Status.CLOSED, Status.AWAITING_DECISIONS}),
    Status.IN_DELIVERY: frozenset({Status.IMPLEMENTED}),
    Status.IMPLEMENTED: frozenset({Status.CLOSED}),
    Status.ON_HOLD: frozenset(
        {Status.PROPOSED, Status.UNDER_ASSESSMENT, Status.WITHDRAWN, Status.AWAITING_DECISIONS}
    ),
    Status.WITHDRAWN: frozenset(),
    Status.CLOSED: frozenset(),
}
AUTOMATIC: dict[str, frozenset[str]] = {
    # Sending a recommendation's referrals; recording a revised recommendation.
    Status.RECOMMENDED: frozenset({Status.AWAITING_DECISIONS}),
    Status.AWAITING_DECISIONS: frozenset(
        {Status.APPROVED, Status.NOT_APPROVED, Status.RECOMMENDED}
    ),
    Status.NOT_APPROVED: frozenset({Status.RECOMMENDED, Status.AWAITING_DECISIONS}),
    Status.UNDER_ASSESSMENT: frozenset({Status.RECOMMENDED}),
    # Resuming the decisions paused by a hold (opportunity_resume).
    Status.ON_HOLD: frozenset({Status.AWAITING_DECISIONS}),
    # A disputed decision recorded on a body's behalf reopens its referral (referral_dispute).
    Status.APPROVED: frozenset({Status.AWAITING_DECISIONS}),
}
# Moves that leave the collaboration unpursued: each needs a reason, kept on the opportunity
# for the "considered and not pursued" register. Closing after delivery is not one of them.
NOT_PURSUED = frozenset({Status.WITHDRAWN, Status.CLOSED})
NEEDS_REASON = frozenset({Status.ON_HOLD, Status.WITHDRAWN, Status.CLOSED})
DELIVERED = frozenset({Status.IMPLEMENTED})
# States in which the board may record a (first or revised) recommendation.
RECOMMENDABLE = frozenset(
    {Status.UNDER_ASSESSMENT, Status.RECOMMENDED, Status.AWAITING_DECISIONS, Status.NOT_APPROVED}
)


# The statutory keep-under-review duty: an opportunity in delivery or on hold always has a next
# review date, this many months ahead when it enters the state without one. An implemented
# opportunity keeps the date it has: its post-implementation review records the benefits
# realised, and recording that review without a next date ends the reviews. Any other state
# (closed, withdrawn, or back to proposed / under assessment from on hold) clears the date.
REVIEW_INTERVAL_MONTHS: dict[str, int] = {Status.IN_DELIVERY: 6, Status.ON_HOLD: 3}
REVIEW_REQUIRED = frozenset(REVIEW_INTERVAL_MONTHS)
REVIEWABLE = REVIEW_REQUIRED | {Status.IMPLEMENTED}
# "Reviews due" on the register, the board's reviews list and the dashboard: overdue, or due
# within this many days.
REVIEWS_DUE_WITHIN_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day of the month, ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def manual_transitions(status: str) -> list[str]:
    """The statuses the secretariat may choose from here, in the order of the workflow."""
    allowed = TRANSITIONS.get(status, frozenset()) - AUTOMATIC.get(status, frozenset())
    return [value for value in Status.values if value in allowed]


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def review_overdue(self, on: date | None = None) -> Self:
        """Under review, and the review date has passed."""
        return self.under_review().filter(next_review_on__lt=on or timezone.localdate())

    def under_review(self) -> Self:
        """Opportunities the board keeps under review that have a next review date."""
        return self.filter(status__in=REVIEWABLE, next_review_on__isnull=False)

    def review_due_within(self, days: int, on: date | None = None) -> Self:
        """Under review, and the review is overdue or falls within the coming ``days``."""
        today = on or timezone.localdate()
        return self.under_review().filter(next_review_on__lte=today + timedelta(days=days))

    def revisit_due_within(self, days: int, on: date | None = None) -> Self:
        """Considered and not pursued, and the date to revisit it is past or within ``days``."""
        today = on or timezone.localdate()
        return self.filter(
            not_pursued_on__isnull=False, revisit_on__lte=today + timedelta(days=days)
        )


class Opportunity(models.Model):
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="opportunities")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    theme = models.CharField(max_length=30, choices=Theme.choices)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_opportunities",
        verbose_name="lead body",
    )
    participating_organisations = models.ManyToManyField(
        Organisation, related_name="opportunities", verbose_name="participating bodies"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_opportunities",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposed_opportunities"
    )
    # Estimated cashable benefits are per body, as Benefit rows (kind "estimated"): the one
    # figure every page, export, chart and report adds up.
    non_cashable_benefits = models.TextField("non-cashable benefits", blank=True)
    estimated_cost = models.DecimalField(
        "estimated cost (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    risks = models.TextField(blank=True)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PROPOSED)
    next_review_on = models.DateField("next review", null=True, blank=True)
    # Withdrawn, or closed without delivery: why, when, and when the board may look again.
    not_pursued_on = models.DateField("not pursued since", null=True, blank=True)
    not_pursued_reason = models.TextField("why it was not pursued", blank=True)
    revisit_on = models.DateField("revisit", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The weighted full-text document (title A, summary B), written by a PostgreSQL trigger on
    # every insert and on every update of those columns; NULL elsewhere. See search.queries.
    search_document = SearchVectorField(null=True, editable=False)

    objects = OpportunityQuerySet.as_manager()

    # The participating bodies' short names, put on a page's rows by
    # selectors.with_participating_names (not a column).
    participating_names: str

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "opportunities"
        indexes = [
            # The dashboard counts a board's opportunities by status, theme and next review
            # from this index alone, without reading the table; it serves status filters too.
            models.Index(
                fields=["board", "status", "theme", "next_review_on"],
                name="opportunity_board_counts",
            ),
            # A board's opportunities in id order: what the figures join benefits and
            # recommendations to, read from the index and merged in order.
            models.Index(fields=["board", "id"], name="opportunity_board_ids"),
            models.Index(fields=["board", "theme"]),
            models.Index(fields=["board", "lead_organisation"]),
            models.Index(fields=["board", "rag"]),
            models.Index(fields=["board", "next_review_on"]),
            models.Index(fields=["board", "-updated_at", "-id"], name="opportunity_recent"),
            models.Index(
                fields=["board", "-not_pursued_on", "-id"],
                condition=Q(not_pursued_on__isnull=False),
                name="opportunity_not_pursued",
            ),
            # New proposals to assess, oldest first (the secretariat's home page): read in
            # order, ten at a time, rather than sorting every proposal of the board.
            models.Index(
                fields=["board", "created_at", "id"],
                condition=Q(status="proposed"),
                name="opportunity_proposed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="opportunity_cost_not_negative",
                violation_error_message="The estimated cost must be £0 or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("opportunity_detail", kwargs={"pk": self.pk})

    def message_payload(
        self, *, referral: "Referral | None" = None, **details: Any
    ) -> dict[str, Any]:
        """What a message about the opportunity carries for its e-mail and its line in the
        portal: the reference, title and board, the body a referral is to (with ``referral``),
        and the message's own ``details``."""
        payload: dict[str, Any] = {
            "reference": self.reference,
            "title": self.title,
            "board": self.board.name,
        }
        if referral is not None:
            payload["body"] = referral.organisation.name
        return {**payload, **details}

    @property
    def edit_version(self) -> str:
        """The version an edit form opened now carries (see core.concurrency)."""
        return version_token(self.updated_at)

    @property
    def reference(self) -> str:
        return f"BLC-{self.pk:04d}" if self.pk else "BLC-new"

    # Labels by enum lookup: get_FOO_display() rebuilds a dict of the choices on every call,
    # which shows on list pages.
    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def theme_label(self) -> str:
        return Theme(self.theme).label

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else ""

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    def needs_reason_to_move_to(self, status: str) -> bool:
        """On hold, withdrawn, and closed without delivery are each recorded with a reason."""
        return status in NEEDS_REASON and not (status == Status.CLOSED and self.status in DELIVERED)

    def is_not_pursued_when_moved_to(self, status: str) -> bool:
        return status in NOT_PURSUED and self.status not in DELIVERED

    def recommendation_refusal(self) -> str | None:
        """Why a recommendation cannot be recorded on it now, in a sentence; None when it can."""
        if self.status in RECOMMENDABLE:
            return None
        return (
            f"A recommendation cannot be recorded while {self.reference} is "
            f"{self.get_status_display().lower()}."
        )

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.status in REVIEWABLE
            and self.next_review_on
            and self.next_review_on < timezone.localdate()
        )

    @property
    def is_under_review(self) -> bool:
        """A review may be recorded: in delivery, on hold, or implemented."""
        return self.status in REVIEWABLE

    @property
    def review_date_required(self) -> bool:
        return self.status in REVIEW_REQUIRED

    def next_review_after_moving_to(self, status: str, today: date | None = None) -> date | None:
        """The next review date once the opportunity is in ``status``: a first date set on
        entering delivery or on hold without one, cleared on leaving review for a state
        outside it, otherwise unchanged."""
        if status in REVIEW_REQUIRED and self.next_review_on is None:
            return add_months(today or timezone.localdate(), REVIEW_INTERVAL_MONTHS[status])
        if status not in REVIEWABLE and self.status in REVIEWABLE:
            return None
        return self.next_review_on

    def deletion_refusal(self) -> str:
        return "An opportunity stays in the register: withdraw or close it instead."


class Outcome(models.TextChoices):
    AWAITING = "awaiting", "Awaiting decisions"
    APPROVED = "approved", "Approved by every body"
    NOT_APPROVED = "not_approved", "Not approved"
    CLOSED = "closed", "Closed before every body decided"


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def in_force(self) -> Self:
        """Recommendations sent to the bodies and not superseded by a later version."""
        return self.filter(superseded_at__isnull=True, sent_at__isnull=False)

    def approved_by_every_body(self) -> Self:
        """Recommendations whose outcome is "approved": referred to at least one body, and
        every body approved (with or without conditions). The rule ``outcome_of`` applies to a
        single recommendation, as a query; a test holds the two equal."""
        referrals = Referral.objects.filter(recommendation=OuterRef("pk"))
        return self.filter(
            Exists(referrals), ~Exists(referrals.exclude(status__in=Referral.APPROVALS))
        )


class Recommendation(Marked):
    """The board's advisory recommendation on an opportunity. A revision is a new version."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="recommendations"
    )
    version = models.PositiveSmallIntegerField()
    wording = models.TextField()
    agreed_on = models.DateField("date agreed by the board")
    decision_due_on = models.DateField("decisions due by")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The referral pack: the facts the executives decide on, frozen when the recommendation is
    # sent (see opportunities.snapshots). Empty until then, and for recommendations sent before
    # packs were kept.
    pack = models.JSONField("referral pack as sent", null=True, blank=True, editable=False)
    # The wording (weight B) as a full-text document, written by a PostgreSQL trigger.
    search_document = SearchVectorField(null=True, editable=False)

    objects = RecommendationQuerySet.as_manager()

    # The outcome, put on each recommendation the opportunity page shows (not a column).
    outcome_value: str

    class Meta:
        ordering = ["opportunity", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "version"], name="recommendation_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(decision_due_on__gte=models.F("agreed_on")),
                name="recommendation_due_after_agreed",
                violation_error_message=(
                    "The decisions must be due on or after the day the recommendation was agreed."
                ),
            ),
            descriptor_only_when_sensitive("recommendation_descriptor_when_sensitive"),
        ]
        indexes = [models.Index(fields=["-sent_at", "-id"], name="recommendation_recent")]

    def __str__(self) -> str:
        return f"{self.opportunity.reference} recommendation v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def outcome_of(self, referrals: "Iterable[Referral]") -> str:
        """Approved when every body approved (with or without conditions), not approved when
        any declined, closed when referrals were closed without a decision (withdrawn, the
        opportunity closed), otherwise awaiting. Takes the referrals so a caller can pass
        prefetched ones."""
        statuses = [referral.status for referral in referrals]
        if not statuses:
            return Outcome.AWAITING
        if any(status == Referral.Status.DECLINED for status in statuses):
            return Outcome.NOT_APPROVED
        if all(status in Referral.APPROVALS for status in statuses):
            return Outcome.APPROVED
        closed = (Referral.Status.WITHDRAWN, Referral.Status.OPPORTUNITY_CLOSED)
        if any(status in closed for status in statuses):
            return Outcome.CLOSED
        return Outcome.AWAITING

    @property
    def outcome(self) -> str:
        return self.outcome_of(self.referrals.all())

    def deletion_refusal(self) -> str:
        return "A recommendation is part of the record: record a revised one to supersede it."


class ReferralQuerySet(models.QuerySet["Referral"]):
    def awaiting_decision(self) -> Self:
        """Sent, undecided, of the recommendation in force, on an opportunity still awaiting
        decisions (not on hold, withdrawn or settled): what inboxes, panels and reminders show."""
        return self.filter(
            status__in=Referral.DECIDABLE,
            sent_at__isnull=False,
            recommendation__superseded_at__isnull=True,
            recommendation__opportunity__status=Status.AWAITING_DECISIONS,
        )

    def open(self) -> Self:
        """Undecided and not closed: the referrals a change of the opportunity closes."""
        return self.filter(status__in=Referral.DECIDABLE)

    def for_executive(self, organisation_ids: Iterable[int]) -> Self:
        return self.filter(organisation_id__in=organisation_ids, sent_at__isnull=False)


class Referral(Marked):
    """A recommendation referred to one body's executive for its decision.

    Its handling marking is the decision's, as chosen when it was recorded (or changed since):
    an OFFICIAL-SENSITIVE decision's notes, reasons and conditions follow the rule of the body's
    sensitive decision documents (``permissions.decision_notes_q``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred (more information requested)"
        SUPERSEDED = "superseded", "Superseded by a revised recommendation"
        WITHDRAWN = "withdrawn", "Closed: recommendation withdrawn"
        OUTCOME_DECIDED = "outcome_decided", "Closed: the outcome was already decided"
        OPPORTUNITY_CLOSED = "opportunity_closed", "Closed: the opportunity was closed"

    DECIDABLE = (Status.PENDING, Status.DEFERRED)
    # Closed without a decision of the body, each with its reason (closed_reason).
    CLOSED = (
        Status.SUPERSEDED,
        Status.WITHDRAWN,
        Status.OUTCOME_DECIDED,
        Status.OPPORTUNITY_CLOSED,
    )
    APPROVALS = (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS)
    DECISIONS = (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.DECLINED, Status.DEFERRED)

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="referrals"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField()
    revision = models.PositiveIntegerField(
        default=0, help_text="Counts decisions, so two people answering at once cannot both win."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who decided for the body, and (kept apart for decisions recorded on someone's behalf)
    # who entered it in the portal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral_decisions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    executive_body = models.CharField(max_length=200, blank=True)
    # Recorded by the secretariat for the body (recorded_by), who names the executive or the
    # person and forum that took it (decided_by, decision_maker, decision_forum below).
    on_behalf = models.BooleanField("recorded on the body's behalf", default=False)
    decision_reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField("conditions or notes", blank=True)
    # While the opportunity is on hold: the day decisions were paused (the due date is moved on
    # by the length of the pause when they resume).
    paused_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    # The decision notice: who took the decision and where ("Cabinet, 12 March"), when it was
    # taken (which may be before it was recorded here), why, and on what conditions.
    decision_maker = models.CharField("decision taken by", max_length=200, blank=True)
    decision_forum = models.CharField("decision taken at", max_length=200, blank=True)
    decision_taken_on = models.DateField("date of the decision", null=True, blank=True)
    reasons = models.TextField("reasons for the decision", blank=True)
    conditions = models.TextField(blank=True)
    # Kept by PostgreSQL's triggers (migration 0024), never by the portal, for
    # ``ReferralSum``: the opportunity's board, and whether the recommendation is the current
    # one (not superseded). Unset elsewhere (SQLite).
    board = models.ForeignKey(
        Board,
        on_delete=models.DO_NOTHING,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    current = models.BooleanField(null=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "organisation"], name="referral_once_per_body"
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=["approved", "approved_with_conditions", "declined", "deferred"]
                )
                | Q(decided_at__isnull=False),
                name="referral_decision_has_time",
            ),
            descriptor_only_when_sensitive("referral_descriptor_when_sensitive"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"]),
            # The executive's inbox: what awaits a body, most urgent first.
            models.Index(
                fields=["organisation", "due_on", "id"],
                condition=Q(status__in=["pending", "deferred"], sent_at__isnull=False),
                name="referral_awaiting",
            ),
            models.Index(fields=["organisation", "-decided_at"], name="referral_recent_decisions"),
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["pending", "deferred"], sent_at__isnull=False),
                name="referral_awaiting_by_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} → {self.organisation.short_name}"

    def get_absolute_url(self) -> str:
        return reverse("referral_detail", kwargs={"pk": self.pk})

    def get_record_url(self) -> str:
        """The decision record every reader of the recommendation may open."""
        return reverse("referral_record", kwargs={"pk": self.pk})

    # --- what the decision record shows (register, matrix, exports) ---------------------------

    @property
    def decision_date(self) -> date | None:
        """The day the body took its decision (the day it was recorded, if not given)."""
        if self.decision_taken_on:
            return self.decision_taken_on
        return timezone.localdate(self.decided_at) if self.decided_at else None

    @property
    def decision_taken_by(self) -> str:
        """Who took the decision and where: "Cllr Jo Webb, Cabinet"."""
        decided_by = self.decided_by
        who = self.decision_maker or (decided_by.full_name if decided_by else "")
        return ", ".join(part for part in (who, self.decision_forum) if part)

    @property
    def decider(self) -> str:
        """ "Cllr Jo Webb, Cabinet": who decided and where; "recorded by X on behalf of" the body
        when the secretariat recorded it for the body ("recorded by" whoever entered it when that
        is someone else)."""
        if self.decided_at is None:
            return ""
        recorded_by = self.recorded_by
        text = self.decision_taken_by
        if recorded_by is None or (
            not self.on_behalf and self.recorded_by_id == self.decided_by_id
        ):
            return text
        recorded = f"recorded by {recorded_by.full_name}"
        if self.on_behalf:
            recorded += f" on behalf of {self.organisation.name}"
        return f"{text} ({recorded})" if text else f"R{recorded[1:]}"

    @property
    def conditions_text(self) -> str:
        """The conditions of an approval (the notes, for one recorded before conditions had a
        field of their own)."""
        if self.conditions:
            return self.conditions
        return self.notes if self.status == self.Status.APPROVED_WITH_CONDITIONS else ""

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    @property
    def is_decidable(self) -> bool:
        return (
            self.sent_at is not None
            and self.status in self.DECIDABLE
            and self.recommendation.superseded_at is None
            and self.recommendation.opportunity.status == Status.AWAITING_DECISIONS
        )

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.DECIDABLE
            and self.paused_on is None
            and self.due_on < timezone.localdate()
        )

    def refusal(self) -> str | None:
        """Why no decision can be recorded on it now, in a sentence; None when one can."""
        opportunity = self.recommendation.opportunity
        if self.sent_at is None:
            return "This recommendation has not been sent to the body yet."
        if self.status == self.Status.SUPERSEDED or self.recommendation.superseded_at:
            return "A revised recommendation has replaced this one; decide on the new version."
        if self.status in self.CLOSED:
            return (
                f"This referral is closed ({self.status_label.lower().removeprefix('closed: ')})"
                f"{': ' + self.closed_reason if self.closed_reason else ''}. "
                "No decision can be recorded on it."
            )
        if opportunity.status == Status.ON_HOLD:
            return (
                f"{opportunity.reference} is on hold: decisions are paused until the "
                "secretariat resumes them."
            )
        if opportunity.status != Status.AWAITING_DECISIONS:
            return (
                f"{opportunity.reference} is {opportunity.status_label.lower()}; it no longer "
                "awaits decisions."
            )
        return None

    @property
    def dispute_until(self) -> date | None:
        """The last day the body's executive may dispute a decision recorded on its behalf."""
        if not self.on_behalf or self.decided_at is None:
            return None
        days = settings.DECISION_DISPUTE_DAYS
        return timezone.localdate(self.decided_at) + timedelta(days=days)

    @property
    def is_disputable(self) -> bool:
        until = self.dispute_until
        return (
            until is not None
            and self.status in self.DECISIONS
            and self.recommendation.superseded_at is None
            and timezone.localdate() <= until
        )

    def deletion_refusal(self) -> str:
        return "A referral and its decision are part of the record and are never deleted."


class ReferralEvent(models.Model):
    """One step of a referral's decision record, never changed: a decision (deferral or final),
    a question and its answer, a dispute, a pause, a resumption or the closing."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        DISPUTE = "dispute", "Dispute"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        CLOSED = "closed", "Closed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For a decision: the referral status chosen; for a closing, the closed status.
    outcome = models.CharField(max_length=30, choices=Referral.Status.choices, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    # Who entered it in the portal, and for a decision recorded on a body's behalf, who took it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_maker = models.CharField(max_length=200, blank=True)
    decision_forum = models.CharField(max_length=200, blank=True)
    on_behalf = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["referral", "at"]),
            # The questions and deferrals still to answer (the secretariat's home page) are
            # found from these alone, a few among the decisions of every referral.
            models.Index(
                fields=["referral", "at"],
                name="referral_event_asking",
                condition=Q(kind="question") | Q(kind="decision", outcome="deferred"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="decision") | ~Q(outcome=""),
                name="referral_event_decision_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.referral}"

    @property
    def outcome_label(self) -> str:
        return Referral.Status(self.outcome).label if self.outcome else ""

    @property
    def decider(self) -> str:
        """Who took a decision recorded on the body's behalf: the executive, the forum, or both."""
        who = self.decision_maker or (self.decided_by.full_name if self.decided_by else "")
        names = [who, self.decision_forum]
        return ", ".join(name for name in names if name)

    def deletion_refusal(self) -> str:
        return "A step of a referral's decision record is part of the record and is never deleted."


def referral_document_path(instance: "ReferralDocument", filename: str) -> str:
    import uuid

    return f"referrals/{uuid.uuid4().hex}"


class ReferralDocument(Marked):
    """A paper supporting a body's decision (its minute, a letter), kept under a generated name."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="documents")
    # The step of the decision record it was given with (a decision, an answer, evidence).
    event = models.ForeignKey(
        "ReferralEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    file = models.FileField(upload_to=referral_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            descriptor_only_when_sensitive("referral_document_descriptor_when_sensitive")
        ]

    def __str__(self) -> str:
        return self.original_name

    def deletion_refusal(self) -> str:
        return "A decision's supporting document is part of the record."


def recommendation_paper_path(instance: "RecommendationPaper", filename: str) -> str:
    import uuid

    return f"recommendations/{uuid.uuid4().hex}"


class RecommendationPaper(Marked):
    """A paper sent with a recommendation to the executives: part of its referral pack, so it
    can be added only until the recommendation is sent. Kept under a generated name."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="papers"
    )
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=recommendation_paper_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    # Where it came from, when it was chosen from a meeting's papers ("Paper 3, version 2 of
    # the meeting of 12 March 2026"); empty for an upload.
    source = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "added_at", "pk"]
        constraints = [
            descriptor_only_when_sensitive("recommendation_paper_descriptor_when_sensitive")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("recommendation_paper", kwargs={"pk": self.pk})

    def deletion_refusal(self) -> str:
        if self.recommendation.sent_at is not None:
            return "A paper sent with a recommendation is part of its referral pack."
        return ""


class DecisionNotice(Marked):
    """The PDF of a body's decision notice, built by a Celery task once the decision is final
    (and again when asked for). A new generation makes an older build moot."""

    class State(models.TextChoices):
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be built"

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="notice")
    state = models.CharField(max_length=10, choices=State.choices, default=State.BUILDING)
    generation = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to="notices/", blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [descriptor_only_when_sensitive("decision_notice_descriptor_when_sensitive")]

    def __str__(self) -> str:
        return f"Decision notice of {self.referral}"


class Review(models.Model):
    """A review of an opportunity in delivery or on hold, as the 2017 Act's duty to keep
    collaboration under review asks: where it stands, what it has achieved, when to look again."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField("review held on")
    conclusion = models.TextField()
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices)
    non_cashable_realised = models.TextField("non-cashable benefits realised", blank=True)
    next_review_on = models.DateField(
        "next review", null=True, blank=True, help_text="Leave empty when no further review is due."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    # The benefits realised at this review, by body name, put on the opportunity page's reviews
    # by review_views.review_section from the page's one read of benefits (not a column).
    realised_benefits: list["Benefit"]

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["opportunity", "-held_on"]),
            models.Index(fields=["held_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__isnull=True)
                | Q(next_review_on__gt=models.F("held_on")),
                name="review_next_after_held",
                violation_error_message="The next review must be after the day of this review.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.opportunity.reference} on {self.held_on:%d %B %Y}"

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label

    def deletion_refusal(self) -> str:
        return "A review is part of the opportunity's record."


class BenefitQuerySet(models.QuerySet["Benefit"]):
    def counted(self) -> Self:
        """What the figures add up: every realised amount, and only each body's latest
        estimate for an opportunity (earlier estimates are its history)."""
        newer_estimate = Benefit.objects.filter(
            opportunity_id=models.OuterRef("opportunity_id"),
            organisation_id=models.OuterRef("organisation_id"),
            kind=Benefit.Kind.ESTIMATED,
        ).filter(
            Q(recorded_at__gt=models.OuterRef("recorded_at"))
            | Q(recorded_at=models.OuterRef("recorded_at"), pk__gt=models.OuterRef("pk"))
        )
        return self.filter(
            Q(kind=Benefit.Kind.REALISED)
            | (Q(kind=Benefit.Kind.ESTIMATED) & ~models.Exists(newer_estimate))
        )


class Benefit(models.Model):
    """A cashable (£) and non-cashable benefit to one body: estimated when the opportunity is
    assessed, realised as reviews find it. Realised amounts add up over time (each row is what was
    realised in the period ending on `period_end`)."""

    class Kind(models.TextChoices):
        ESTIMATED = "estimated", "Estimated"
        REALISED = "realised", "Realised"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="benefits")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="benefits", verbose_name="body"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    cashable = models.DecimalField("cashable (£)", max_digits=12, decimal_places=2, default=0)
    non_cashable = models.TextField("non-cashable", blank=True)
    period_end = models.DateField("for the period ending")
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="benefits"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Kept by PostgreSQL's triggers (migration 0023), never by the portal, for ``BenefitSum``:
    # the opportunity's board; and, for an estimate, whether it is its body's latest for the
    # opportunity (the one that counts, as ``counted()`` has it) and how much it moved that
    # body's expected total (its amount less the previous estimate's). Unset elsewhere
    # (SQLite), where the dashboard adds up the estimates themselves.
    board = models.ForeignKey(
        Board,
        on_delete=models.DO_NOTHING,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    latest = models.BooleanField(null=True, editable=False)
    moved = models.DecimalField(max_digits=12, decimal_places=2, null=True, editable=False)

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["period_end", "pk"]
        indexes = [
            models.Index(fields=["opportunity", "kind"]),
            models.Index(fields=["organisation", "kind", "period_end"]),
            # Each body's estimates for an opportunity in the order they were made, with the
            # amounts and periods: PostgreSQL's trigger reads a chain from the index alone as it
            # works out which estimate is the latest (migration 0023).
            models.Index(
                fields=[
                    "opportunity",
                    "organisation",
                    "recorded_at",
                    "id",
                    "cashable",
                    "period_end",
                ],
                condition=Q(kind="estimated"),
                name="benefit_estimate_chains",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cashable__gte=0),
                name="benefit_not_negative",
                violation_error_message="A cashable benefit must be £0 or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} benefit to {self.organisation} from {self.opportunity}"

    def deletion_refusal(self) -> str:
        return "Estimated and realised benefits are kept as history."


class BenefitSum(models.Model):
    """The cashable benefits of a board added up, kept by PostgreSQL's triggers as benefits are
    written (migration 0023), so the dashboard reads a few dozen rows however many benefits
    there are. Per board, body and quarter (quarters start in January, April, July and October):

    - ``realised``: the realised amounts, by the quarter of the period they are for;
    - ``latest``: each body's latest estimate for each opportunity (``Benefit.objects
      .counted()``), by the quarter of the period it is for;
    - ``moved``: how much the estimates made in a quarter (in the portal's time zone, as
      migration 0023 was run with it) moved the total expected: each one's amount less the
      previous one of its chain.

    ``rows`` is how many benefits a line adds up; a line with none is no figure. Nothing in the
    portal writes here, and on SQLite nothing is kept (the dashboard adds up the benefits)."""

    class Part(models.TextChoices):
        REALISED = "realised", "Realised"
        LATEST = "latest", "Latest estimates"
        MOVED = "moved", "Estimates' moves"

    board = models.ForeignKey(Board, on_delete=models.DO_NOTHING, related_name="+")
    part = models.CharField(max_length=10, choices=Part.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING, related_name="+")
    quarter = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    rows = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["board", "part", "organisation", "quarter"], name="benefit_sum_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_part_display()}, {self.quarter:%B %Y}: £{self.amount}"


class ReferralSum(models.Model):
    """A board's sent referrals counted, kept by PostgreSQL's triggers as referrals and
    recommendations are written (migration 0024), so the dashboard's decisions per body read a
    few hundred rows however many referrals there are. One line per board, body, status,
    whether the recommendation is current, whether a decision is recorded and, for a referral
    still awaiting a decision, its due date and whether it is paused (``None`` and ``False``
    for the others): how many referrals (``rows``) and the time from sending to decision they
    took in all (``taken``). Nothing in the portal writes here, and on SQLite nothing is kept
    (the dashboard counts the referrals)."""

    board = models.ForeignKey(Board, on_delete=models.DO_NOTHING, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING, related_name="+")
    status = models.CharField(max_length=30, choices=Referral.Status.choices)
    current = models.BooleanField()
    decided = models.BooleanField()
    due_on = models.DateField(null=True)
    paused = models.BooleanField()
    rows = models.IntegerField()
    taken = models.DurationField()

    # One line per key, NULL due dates alike, by a unique index of migration 0024's (UNIQUE
    # NULLS NOT DISTINCT, which PostgreSQL's triggers need and SQLite lacks).

    def __str__(self) -> str:
        return f"{self.rows} referrals to body {self.organisation_id}, {self.status}"


# An approved collaboration's delivery is tracked by its milestones from approval onwards.
DELIVERY_STATES = frozenset({Status.APPROVED, Status.IN_DELIVERY, Status.IMPLEMENTED})


class Milestone(models.Model):
    """A step in delivering an approved collaboration, with how far it has got: the public's
    view of delivery (as Decidim's accountability pages show results), kept by the board's
    secretariat or the collaboration's lead officer."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_on = models.DateField("due")
    percent_complete = models.PositiveSmallIntegerField("per cent complete", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The version the milestone's edit form carries (core.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opportunity", "due_on", "pk"]
        indexes = [models.Index(fields=["opportunity", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="milestone_percent_at_most_100",
                violation_error_message="A milestone is at most 100% complete.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity.reference}: {self.title}"

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

    @property
    def is_overdue(self) -> bool:
        return self.percent_complete < 100 and self.due_on < timezone.localdate()

    def deletion_refusal(self) -> str:
        return "A milestone is part of the collaboration's public record of delivery."


def delivery_progress(milestones: Iterable[Milestone]) -> int | None:
    """How far delivery has got, in per cent: the mean of the milestones' progress (None when
    there are none)."""
    values = [milestone.percent_complete for milestone in milestones]
    return round(sum(values) / len(values)) if values else None


class DataVersion(models.Model):
    """A number PostgreSQL moves forward on every write to the tables a cached page is drawn
    from (statement triggers: see the ``data_versions`` migration), so a cache keyed by it can
    never serve figures older than the data. Each new value comes from a sequence, which never
    goes back, so a rolled-back write never brings an old number, and its cache, back."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

"""Each body's decision calendar and the board's joint forward plan.

- ``DecisionForum``: where a body takes its decisions (the County Council's Cabinet, the
  Commissioner's decision meeting...), with its decision-maker and usual notice period, and the
  iCalendar address the body publishes its dates at, if any.
- ``ForumMeeting``: one date of a forum, entered by the secretariat or read from the body's
  calendar. A move keeps the date it moved from; a cancellation keeps the row.
- ``CalendarChange``: what a reading of a body's calendar found (added, moved, cancelled), shown
  to the secretariat.
- ``CalendarReading``: one reading of a forum's calendar address, asked for by the secretariat
  ("Read now") or by the daily run, done by a task; its outcome is shown on the forum's page.
- ``PlanEntry``: for one referral (a recommendation to one body), the forum meeting where the
  body will decide it, whether it is a key decision and whether it is taken in private (with
  its Schedule 12A paragraph).
- ``PublishedPlan``: the forward plan as the secretariat published it, kept as it was (a new
  row each time, numbered within its month), never overwritten.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Organisation
from meetings.models import ExemptParagraph
from opportunities.models import Referral

# Key decisions are published on the forward plan at least this many clear days before the
# meeting that takes them (the 2012 Executive Arrangements Regulations, regulation 9).
KEY_DECISION_CLEAR_DAYS = 28


def clear_days_between(published_on: date, meeting_on: date) -> int:
    """Whole days between the two, counting neither the day of publication nor the meeting's."""
    return (meeting_on - published_on).days - 1


class DecisionForum(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="decision_forums"
    )
    name = models.CharField(max_length=200, help_text="For example: Cabinet.")
    decision_maker = models.CharField(
        max_length=200, help_text="Who takes the decisions there, for example: the Leader."
    )
    notice_days = models.PositiveSmallIntegerField(
        "usual notice period (days)",
        default=KEY_DECISION_CLEAR_DAYS,
        help_text="How many days before a meeting the body usually needs a report.",
    )
    calendar_url = models.URLField(
        "calendar address",
        max_length=500,
        blank=True,
        help_text="The iCalendar (.ics) address where the body publishes this forum's dates. "
        "It is read again every day.",
    )
    calendar_read_at = models.DateTimeField(null=True, blank=True)
    calendar_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="forum_name_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.short_name})"


class ForumMeetingQuerySet(models.QuerySet["ForumMeeting"]):
    def scheduled(self) -> "ForumMeetingQuerySet":
        return self.filter(status=ForumMeeting.Status.SCHEDULED)


class ForumMeeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by the secretariat"
        CALENDAR = "calendar", "From the body's calendar"

    forum = models.ForeignKey(DecisionForum, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ENTERED)
    # The event's UID in the body's calendar: how a later reading recognises the same meeting.
    calendar_uid = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    moved_from = models.DateField("previous date", null=True, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ForumMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "time", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "calendar_uid"],
                condition=~Q(calendar_uid=""),
                name="forum_meeting_uid_once",
            )
        ]
        indexes = [models.Index(fields=["forum", "date"], name="forum_meeting_by_date")]

    def __str__(self) -> str:
        return f"{self.forum.name}, {self.date:%-d %B %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.time or time(0, 0)))

    def deletion_refusal(self) -> str:
        if self.plan_entries.exists():
            return "Decisions are planned at this meeting: cancel it instead."
        return ""


class CalendarChange(models.Model):
    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"

    forum = models.ForeignKey(DecisionForum, on_delete=models.CASCADE, related_name="changes")
    meeting = models.ForeignKey(ForumMeeting, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    before = models.DateField(null=True, blank=True)
    after = models.DateField(null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_at", "-pk"]
        indexes = [models.Index(fields=["forum", "-found_at"], name="calendar_change_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.meeting}"


class CalendarReading(models.Model):
    """One reading of a forum's calendar address. A row before it is a task: the request that
    asks for it only writes the row and queues the task (after commit); a reading the broker
    did not take is queued again by the sweep, and one whose worker died is started again, up
    to ``MAX_ATTEMPTS``. At most one reading of a forum waits or runs at a time."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be read"
        READING = "reading", "Being read"
        DONE = "done", "Read"
        FAILED = "failed", "Could not be read"

    WAITING = (Status.QUEUED, Status.READING)
    MAX_ATTEMPTS = 3

    forum = models.ForeignKey(DecisionForum, on_delete=models.CASCADE, related_name="readings")
    # Nobody: the daily run.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # When the sweep is to queue it again if no worker has taken it by then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the reading found ("1 added, 0 moved, 0 cancelled"), or why it could not read.
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["forum", "-requested_at"], name="calendar_reading_recent"),
            models.Index(fields=["status", "next_attempt_at"], name="calendar_reading_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["forum"],
                condition=Q(status__in=["queued", "reading"]),
                name="calendar_reading_one_waiting",
                violation_error_message="This forum's calendar is already waiting to be read.",
            )
        ]

    def __str__(self) -> str:
        return f"Reading of {self.forum}, {self.requested_at:%-d %B %Y}"

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING


class PlanEntryQuerySet(models.QuerySet["PlanEntry"]):
    def with_related(self) -> "PlanEntryQuerySet":
        return self.select_related(
            "referral__organisation",
            "referral__recommendation__opportunity",
            "forum_meeting__forum",
        )

    def of_board(self, board: Board) -> "PlanEntryQuerySet":
        return self.filter(
            referral__recommendation__opportunity__board=board,
            referral__recommendation__superseded_at__isnull=True,
        )

    def between(self, first: date, last: date) -> "PlanEntryQuerySet":
        return self.filter(forum_meeting__date__gte=first, forum_meeting__date__lte=last)


class PlanEntry(models.Model):
    """Where and how one body will decide one recommendation."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="plan_entry")
    forum_meeting = models.ForeignKey(
        ForumMeeting, on_delete=models.PROTECT, related_name="plan_entries"
    )
    key_decision = models.BooleanField(default=False)
    private = models.BooleanField("taken in private", default=False)
    exempt_paragraph = models.PositiveSmallIntegerField(
        "exempt paragraph", choices=ExemptParagraph.choices, null=True, blank=True
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when a published version of the plan first carries the entry, and the meeting date it
    # carried then (so a later move is noticed).
    first_published_on = models.DateField(null=True, blank=True)
    published_meeting_on = models.DateField(null=True, blank=True)

    objects = PlanEntryQuerySet.as_manager()

    # Put on each entry the plan pages show (not a column).
    warning_list: list[str]

    class Meta:
        ordering = ["forum_meeting__date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(private=False, exempt_paragraph__isnull=True)
                | Q(private=True, exempt_paragraph__isnull=False),
                name="plan_entry_private_has_paragraph",
                violation_error_message=(
                    "A decision taken in private needs its exempt paragraph, and only then."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} at {self.forum_meeting}"

    def notice_clear_days(self, today: date | None = None) -> int:
        """Clear days between the entry's publication on the plan (today, if not yet published)
        and its meeting."""
        published = self.first_published_on or today or timezone.localdate()
        return clear_days_between(published, self.forum_meeting.date)

    def warnings(self, today: date | None = None) -> list[str]:
        """What the secretariat should know about this entry, as sentences."""
        found = []
        meeting = self.forum_meeting
        if self.key_decision:
            days = self.notice_clear_days(today)
            if days < KEY_DECISION_CLEAR_DAYS:
                when = "published" if self.first_published_on else "if published today"
                found.append(
                    f"Key decision with {max(days, 0)} clear days' notice ({when}): it needs "
                    f"{KEY_DECISION_CLEAR_DAYS}."
                )
        if self.referral.sent_at is None and self.papers_due_on < (today or timezone.localdate()):
            found.append(
                f"{meeting.forum.name} usually needs {meeting.forum.notice_days} days' notice "
                f"(papers by {self.papers_due_on:%-d %B %Y}), and the recommendation has not "
                "been sent to the body yet."
            )
        if meeting.is_cancelled:
            found.append("The meeting has been cancelled: plan the decision at another meeting.")
        if self.published_meeting_on and self.published_meeting_on != meeting.date:
            found.append(
                f"The meeting moved from {self.published_meeting_on:%-d %B %Y} to "
                f"{meeting.date:%-d %B %Y} after the plan was published."
            )
        return found

    @property
    def papers_due_on(self) -> date:
        """The day the body usually needs the papers by: its forum's notice before the meeting."""
        return self.forum_meeting.date - timedelta(days=self.forum_meeting.forum.notice_days)

    @property
    def paragraph_label(self) -> str:
        if self.exempt_paragraph is None:
            return ""
        return f"paragraph {self.exempt_paragraph}"

    def deletion_refusal(self) -> str:
        if self.first_published_on is not None:
            return "This entry has been published on the forward plan: move it instead."
        return ""


class PublishedPlan(models.Model):
    """The forward plan as published: what was published when, kept as it was."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="published_plans")
    month = models.DateField(help_text="The first day of the month it was published for.")
    number = models.PositiveSmallIntegerField(default=1)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    covers_from = models.DateField()
    covers_to = models.DateField()
    # One dict per entry, as published (see services.plan_rows_as_published).
    entries = models.JSONField(default=list)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "month", "number"], name="published_plan_number_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"Forward plan, {self.month:%B %Y} (version {self.number})"

    def get_absolute_url(self) -> str:
        return reverse("published_plan", kwargs={"slug": self.board.slug, "pk": self.pk})

    def deletion_refusal(self) -> str:
        return "A published forward plan is part of the record."


class PlanFeed(models.Model):
    """A person's private address for the forward plan in their calendar program."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Forward plan feed of {self.person}"

    def get_absolute_url(self) -> str:
        return settings.SITE_URL + reverse("plan_feed", kwargs={"token": self.token})


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_ahead(day: date, months: int) -> date:
    """The last day of the window of ``months`` calendar months starting with ``day``'s month."""
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1) - timedelta(days=1)

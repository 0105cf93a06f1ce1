"""Board meetings: invitations and replies, the agenda, papers, attendance, minutes and actions.

The tables keep the names they had when meetings were part of the boards app (``boards_*``).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Organisation, User


class Meeting(models.Model):
    """A meeting of a board, from draft to approved minutes (or cancelled)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PAPERS_PUBLISHED = "papers_published", "Papers published"
        HELD = "held", "Held"
        MINUTES_DRAFTED = "minutes_drafted", "Minutes drafted"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    class FileState(models.TextChoices):
        NONE = "none", "Not built"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be built"

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200, default="Board meeting")
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    venue = models.CharField(max_length=300, blank=True, help_text="e.g. Shire Hall, Warwick")
    online_link = models.URLField(
        "online meeting link",
        max_length=500,
        blank=True,
        help_text="Leave blank if in person only.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The calendar event: the same UID for the whole life of the meeting, SEQUENCE goes up with
    # each change that invitees are told about.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_reason = models.TextField(blank=True)
    agenda_signed_off_at = models.DateTimeField(null=True, blank=True)
    agenda_signed_off_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The agenda pack and the minutes PDF are built by Celery tasks. A build carries the
    # generation it was asked for, so a stale build never overwrites a newer one.
    pack_state = models.CharField(max_length=10, choices=FileState.choices, default=FileState.NONE)
    pack_generation = models.PositiveIntegerField(default=0)
    pack_file = models.FileField(upload_to="packs/", blank=True)
    pack_built_at = models.DateTimeField(null=True, blank=True)
    minutes_pdf_state = models.CharField(
        max_length=10, choices=FileState.choices, default=FileState.NONE
    )
    minutes_pdf = models.FileField(upload_to="minutes/", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_meeting"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=(
                    "The meeting must end after it starts: enter a later end time."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_link=""),
                name="meeting_has_venue_or_link",
                violation_error_message=(
                    "Enter a venue or an online link (or both): people need to know where to go."
                ),
            ),
        ]
        indexes = [models.Index(fields=["board", "starts_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", kwargs={"pk": self.pk})

    @property
    def where(self) -> str:
        if not self.venue:
            return "Online" if self.online_link else ""
        return f"{self.venue} and online" if self.online_link else self.venue

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at >= timezone.now()

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def papers_are_published(self) -> bool:
        return self.status in PUBLISHED_STATES

    @property
    def has_been_held(self) -> bool:
        return self.status in HELD_STATES

    @property
    def details_are_editable(self) -> bool:
        return self.status in (
            self.Status.DRAFT,
            self.Status.SCHEDULED,
            self.Status.PAPERS_PUBLISHED,
        )

    @property
    def takes_papers(self) -> bool:
        return self.status not in (self.Status.CANCELLED, self.Status.MINUTES_APPROVED)

    @property
    def agenda_is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    @property
    def minutes_are_editable(self) -> bool:
        return self.status in (self.Status.HELD, self.Status.MINUTES_DRAFTED)

    @property
    def minutes_are_locked(self) -> bool:
        return self.status == self.Status.MINUTES_APPROVED

    @property
    def accepts_replies(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.PAPERS_PUBLISHED) and (
            self.starts_at > timezone.now()
        )

    @property
    def records_attendance(self) -> bool:
        return self.status in (
            self.Status.PAPERS_PUBLISHED,
            self.Status.HELD,
            self.Status.MINUTES_DRAFTED,
        )

    def next_statuses(self) -> list[str]:
        return sorted(TRANSITIONS.get(self.status, ()), key=Meeting.Status.values.index)


S = Meeting.Status
PUBLISHED_STATES = frozenset({S.PAPERS_PUBLISHED, S.HELD, S.MINUTES_DRAFTED, S.MINUTES_APPROVED})
HELD_STATES = frozenset({S.HELD, S.MINUTES_DRAFTED, S.MINUTES_APPROVED})
# The meeting's life, as data: from each status, where it may go next.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SCHEDULED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.PAPERS_PUBLISHED, S.CANCELLED}),
    S.PAPERS_PUBLISHED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset({S.MINUTES_DRAFTED}),
    S.MINUTES_DRAFTED: frozenset({S.MINUTES_APPROVED}),
}


class MeetingInvitation(models.Model):
    """An invitee of a meeting, their reply and, later, whether they attended."""

    class Reply(models.TextChoices):
        NO_REPLY = "no_reply", "No reply yet"
        ATTENDING = "attending", "Attending"
        APOLOGIES = "apologies", "Apologies"
        SUBSTITUTE = "substitute", "Sending a substitute"

    class Attendance(models.TextChoices):
        UNRECORDED = "unrecorded", "Not recorded"
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"
        SUBSTITUTE = "substitute", "Substitute attended"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meeting_invitations")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member body the invitee represents; empty for a guest.",
    )
    is_guest = models.BooleanField(default=False)
    counts_for_quorum = models.BooleanField(default=False)
    reply = models.CharField(max_length=12, choices=Reply.choices, default=Reply.NO_REPLY)
    substitute_name = models.CharField(max_length=150, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.UNRECORDED
    )
    # What the invitee has been e-mailed, so a retried task never sends twice.
    sequence_sent = models.IntegerField(default=-1)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_meetinginvitation"
        ordering = ["is_guest", "organisation__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_invitation_each"),
        ]
        indexes = [models.Index(fields=["person", "reply"])]

    def __str__(self) -> str:
        return f"{self.person} invited to {self.meeting}"

    @property
    def represents(self) -> bool:
        return self.reply in (self.Reply.ATTENDING, self.Reply.SUBSTITUTE)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    presenter = models.CharField(max_length=200, blank=True)
    confidential = models.BooleanField(
        "confidential (exempt business)",
        default=False,
        help_text="Its papers are seen only by the board's own members and the secretariat, "
        "never by guests, and are left out of the agenda pack.",
    )
    minutes = models.TextField(blank=True)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="linked opportunity",
    )
    # Full-text documents written by a PostgreSQL trigger on every insert and on every update
    # of their columns (NULL elsewhere): the item (title A, description B) and its minutes (B)
    # are searched apart, as the minutes are seen by fewer people. See search.queries.
    search_document = SearchVectorField(null=True, editable=False)
    minutes_document = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "boards_agendaitem"
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["meeting", "position"])]

    def __str__(self) -> str:
        return self.title


class AgreedRecommendation(models.Model):
    """The agenda item at which the board agreed a recommendation. Meetings keep this link (the
    register knows nothing of meetings): a recommendation is agreed at one item at most."""

    recommendation = models.OneToOneField(
        "opportunities.Recommendation", on_delete=models.CASCADE, related_name="agreed_at"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="agreed_recommendations"
    )

    class Meta:
        verbose_name = "recommendation agreed at a meeting"

    def __str__(self) -> str:
        return f"{self.recommendation} agreed at {self.agenda_item}"


def _stored_name(instance, filename: str) -> str:
    """A generated name: the uploader's file name is never used on disk."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"papers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Paper(models.Model):
    """A paper for a meeting or one of its items; each upload is a new version."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="papers"
    )
    title = models.CharField(max_length=300)
    current_version = models.ForeignKey(
        "PaperVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The title (weight A) as a full-text document, written by a PostgreSQL trigger.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "boards_paper"
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("paper_download", kwargs={"pk": self.meeting_id, "paper": self.pk})

    @property
    def confidential(self) -> bool:
        return self.agenda_item is not None and self.agenda_item.confidential


class PaperVersion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=_stored_name, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_paperversion"
        ordering = ["paper", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} (version {self.number})"


class DeclarationOfInterest(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="declarations")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="declarations"
    )
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="declarations")
    nature = models.TextField("nature of the interest")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_declarationofinterest"
        ordering = ["meeting", "recorded_at", "pk"]
        verbose_name = "declaration of interest"
        verbose_name_plural = "declarations of interest"

    def __str__(self) -> str:
        return f"{self.person}: {self.nature[:40]}"


class Action(models.Model):
    """Something the meeting asked someone to do, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField("due")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_action"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATES and self.due_on < timezone.localdate()


class CalendarFeed(models.Model):
    """A person's private calendar address. The token is the only key: resetting it retires
    every copy of the old address."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_calendarfeed"

    def __str__(self) -> str:
        return f"Calendar of {self.person}"

    def get_absolute_url(self) -> str:
        return settings.SITE_URL + reverse("calendar_feed", kwargs={"token": self.token})

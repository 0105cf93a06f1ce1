"""Board meetings: invitations and replies, the agenda, papers, attendance, minutes and actions.

The tables keep the names they had when meetings were part of the boards app (``boards_*``).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Organisation, User
from core.concurrency import version_token
from core.markings import (
    Marked,
    Marking,
    combination_field,
    descriptor_only_when_sensitive,
    parse,
)


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
    # While a PDF is being built: when the sweep is to queue its build again if no worker has
    # finished it by then (the broker was down, or the worker died).
    pack_next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Part 2: the exempt items and their papers, built with Part 1 (the pack above).
    part2_pack_file = models.FileField(upload_to="packs/", blank=True)
    # The handling markings of the built Part 1 pack and Part 1 minutes: the strictest of what
    # each holds (core.markings), stamped on their every page; the publication rule reads them.
    pack_marking = combination_field("marking of the agenda pack")
    minutes_marking = combination_field("marking of the minutes")
    minutes_pdf_state = models.CharField(
        max_length=10, choices=FileState.choices, default=FileState.NONE
    )
    minutes_pdf = models.FileField(upload_to="minutes/", blank=True)
    minutes_pdf_next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Part 2 minutes (the exempt items, with their declarations), for those who see exempt
    # business; ``minutes_pdf`` is the public Part 1.
    minutes_part2_pdf = models.FileField(upload_to="minutes/", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The version edit forms carry (core.concurrency): any save, or a status move, stamps it.
    updated_at = models.DateTimeField(auto_now=True)

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
        indexes = [
            models.Index(fields=["board", "starts_at"]),
            models.Index(fields=["status"]),
            # The board's meetings still to end (the meetings list's "Upcoming"), found without
            # reading past the years of meetings already held.
            models.Index(fields=["board", "ends_at"], name="meeting_board_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", kwargs={"pk": self.pk})

    @property
    def status_label(self) -> str:
        """The status's label by enum lookup (get_status_display() rebuilds the choices on
        every call, which shows on the meetings list)."""
        return self.Status(self.status).label

    @property
    def pack_handling(self) -> Marking:
        return parse(self.pack_marking)

    @property
    def minutes_handling(self) -> Marking:
        return parse(self.minutes_marking)

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

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

    def deletion_refusal(self) -> str:
        """Why this meeting may not be deleted ("" if it may): only a draft may go."""
        if self.status == self.Status.DRAFT:
            return ""
        return "A meeting that has left draft is part of the record: cancel it instead."


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
    # The substitute's own account, when the secretariat named them with an e-mail address: a
    # guest of this meeting (Part 1 only), whose guest account ends if the body changes its mind.
    substitute = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    # The secretariat recorded the reply for the invitee (told by phone or e-mail); empty when
    # the invitee replied themselves.
    reply_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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
        indexes = [
            models.Index(fields=["person", "reply"]),
            # A person's invitations read from the index alone: the calendar feed, and the
            # meeting rule's checks of a guest's or a member's invitation (search, lists).
            models.Index(
                fields=["person", "meeting", "is_guest"], name="invitation_person_meeting_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} invited to {self.meeting}"

    # Set by ``selectors.label_roles`` for lists: the invitee's roles on the board, in words.
    role_label: str = ""

    @property
    def represents(self) -> bool:
        return self.reply in (self.Reply.ATTENDING, self.Reply.SUBSTITUTE)

    def deletion_refusal(self) -> str:
        if self.meeting.status == Meeting.Status.DRAFT:
            return ""
        return "Invitations, replies and attendance are part of the meeting's record."


class ExemptParagraph(models.IntegerChoices):
    """Why an item is exempt: the paragraphs of Part 1 of Schedule 12A to the Local Government
    Act 1972 (as the board's council members apply it)."""

    INDIVIDUAL = 1, "1. Information relating to any individual"
    IDENTITY = 2, "2. Information likely to reveal the identity of an individual"
    FINANCIAL = (
        3,
        (
            "3. Information relating to the financial or business affairs of any particular person "
            "(including the authority holding that information)"
        ),
    )
    LABOUR_RELATIONS = (
        4,
        (
            "4. Consultations or negotiations on a labour relations matter between the authority "
            "and its employees or office holders"
        ),
    )
    LEGAL_PRIVILEGE = 5, "5. Information covered by legal professional privilege"
    NOTICES_ORDERS = (
        6,
        (
            "6. Information revealing that the authority proposes to give a notice imposing "
            "requirements on a person, or to make an order or direction"
        ),
    )
    CRIME = (
        7,
        (
            "7. Information relating to action taken or to be taken in connection with the "
            "prevention, investigation or prosecution of crime"
        ),
    )


class AgendaItem(Marked):
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
    exempt_paragraph = models.PositiveSmallIntegerField(
        "reason it is exempt",
        choices=ExemptParagraph.choices,
        null=True,
        blank=True,
        help_text="The paragraph of Schedule 12A to the Local Government Act 1972 that applies.",
    )
    minutes = models.TextField(blank=True)
    # "JAB/2026/14": given when the minutes are drafted, sequential per board per year.
    minute_reference = models.CharField(max_length=40, blank=True)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="linked opportunity",
    )
    # "Minutes of the previous meeting": the meeting whose minutes this item confirms, added
    # when the meeting is created (services.meeting_create).
    confirms_minutes_of = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirms the minutes of",
    )
    # Full-text documents written by a PostgreSQL trigger on every insert and on every update
    # of their columns (NULL elsewhere): the item (title A, description B) and its minutes (B)
    # are searched apart, as the minutes are seen by fewer people. See search.queries.
    search_document = SearchVectorField(null=True, editable=False)
    minutes_document = SearchVectorField(null=True, editable=False)
    # The version the item's and its minutes' edit forms carry (core.concurrency).
    updated_at = models.DateTimeField(auto_now=True)
    # Set by ``selectors.numbered_agenda``: the members' number of the item, and that it is
    # shown (a withheld exempt item is a ``selectors.Withheld`` instead).
    number: int = 0
    withheld: bool = False
    # Set by the public meeting page: the item's papers a visitor may download.
    public_papers: list["Paper"]

    class Meta:
        db_table = "boards_agendaitem"
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["meeting", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(exempt_paragraph__isnull=True) | Q(confidential=True),
                name="exempt_paragraph_only_on_exempt_items",
            ),
            models.UniqueConstraint(
                fields=["minute_reference"],
                condition=~Q(minute_reference=""),
                name="minute_reference_unique",
            ),
            descriptor_only_when_sensitive("agenda_item_descriptor_when_sensitive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

    def deletion_refusal(self) -> str:
        if self.meeting.agenda_is_editable:
            return ""
        return (
            "The agenda is fixed once the papers are published: its items and their minutes "
            "are part of the record."
        )

    @property
    def exempt_label(self) -> str:
        """ "exempt — paragraph 3": what those not entitled to the item read in its place."""
        if self.exempt_paragraph:
            return f"exempt — paragraph {self.exempt_paragraph}"
        return "exempt"


class ExemptItemAdmissionQuerySet(models.QuerySet["ExemptItemAdmission"]):
    def in_force(self) -> "ExemptItemAdmissionQuerySet":
        """Admissions not withdrawn: what opens an exempt item to its person."""
        return self.filter(revoked_at__isnull=True)


class ExemptItemAdmission(models.Model):
    """The secretariat admits a named person (a guest, an observer) to one exempt item: they see
    its title, description, presenter, papers, minutes and declarations, and nothing else of the
    meeting's exempt business."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="admissions")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exempt_admissions")
    admitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    admitted_at = models.DateTimeField(default=timezone.now)
    # Withdrawn admissions stay, as the record of who could see the item and when.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ExemptItemAdmissionQuerySet.as_manager()

    class Meta:
        ordering = ["agenda_item", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "person"],
                condition=Q(revoked_at__isnull=True),
                name="one_admission_in_force_each",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="admission_revoked_by_someone",
            ),
        ]
        indexes = [models.Index(fields=["person", "agenda_item"])]

    def __str__(self) -> str:
        return f"{self.person} admitted to {self.agenda_item}"

    def deletion_refusal(self) -> str:
        """While the meeting is a draft nobody has seen its papers: an admission may go with
        it. After, who was admitted to what is part of the meeting's record."""
        if self.agenda_item.meeting.status == Meeting.Status.DRAFT:
            return ""
        return (
            "An admission to an exempt item is part of the meeting's record: withdraw it instead."
        )


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


class Paper(Marked):
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
    # Set by the meeting page: whether the reader may open it now; by the pack: its item's
    # number on the agenda.
    visible: bool = True
    item_number: int = 0

    class Meta:
        db_table = "boards_paper"
        ordering = ["meeting", "created_at", "pk"]
        constraints = [descriptor_only_when_sensitive("paper_descriptor_when_sensitive")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("paper_download", kwargs={"pk": self.meeting_id, "paper": self.pk})

    @property
    def confidential(self) -> bool:
        return self.agenda_item is not None and self.agenda_item.confidential

    def deletion_refusal(self) -> str:
        if not self.meeting.papers_are_published:
            return ""
        return "A published paper is part of the record: upload a new version instead."


def _converted_name(instance, filename: str) -> str:
    return f"papers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


# Word, Excel and PowerPoint papers: converted to PDF (LibreOffice, in a worker) for the packs
# and the viewer.
OFFICE_KINDS = frozenset({"docx", "xlsx", "pptx"})


class PaperVersion(Marked):
    class Conversion(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"  # a PDF or an image
        WAITING = "waiting", "Not converted yet"
        READY = "ready", "Converted to PDF"
        FAILED = "failed", "Could not be converted"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=_stored_name, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # An Office paper's PDF, converted by a worker; when the sweep is to queue a conversion
    # again that no worker finished (or that waited for LibreOffice to be installed).
    pdf_state = models.CharField(
        max_length=12, choices=Conversion.choices, default=Conversion.NOT_NEEDED
    )
    pdf_file = models.FileField(upload_to=_converted_name, max_length=200, blank=True)
    pdf_next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "boards_paperversion"
        ordering = ["paper", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_unique"),
            descriptor_only_when_sensitive("paper_version_descriptor_when_sensitive"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} (version {self.number})"

    def deletion_refusal(self) -> str:
        return self.paper.deletion_refusal()

    @property
    def readable_pdf(self) -> FieldFile | None:
        """The file to read as a PDF: the paper itself, or its converted PDF once ready (None
        for an image, or an Office paper not converted yet)."""
        if self.kind == "pdf":
            return self.file
        if self.pdf_state == self.Conversion.READY and self.pdf_file:
            return self.pdf_file
        return None


class DeclarationOfInterest(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="declarations")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="declarations"
    )
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="declarations")
    nature = models.TextField("nature of the interest")
    disqualifying = models.BooleanField(
        "disqualifying: takes no part in the item",
        default=False,
        help_text="The member leaves the item: they do not vote on it and their body does not "
        "count towards its quorum through them.",
    )
    register_entry = models.ForeignKey(
        "RegisteredInterest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="The entry in the person's register of interests it was made from, if any.",
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "boards_declarationofinterest"
        ordering = ["meeting", "recorded_at", "pk"]
        verbose_name = "declaration of interest"
        verbose_name_plural = "declarations of interest"

    def __str__(self) -> str:
        return f"{self.person}: {self.nature[:40]}"

    def deletion_refusal(self) -> str:
        if self.meeting.status == Meeting.Status.DRAFT:
            return ""
        return "A declaration of interest is part of the meeting's record."


class Resolution(models.Model):
    """What the chair put to the meeting at an item and what the board resolved: agreed by
    consensus, or by a vote (each voting member's vote, or show-of-hands totals), with the
    chair's casting vote on a tie. A resolution "to recommend", once carried, is the source of
    the board's recommendation on the item's opportunity."""

    class Kind(models.TextChoices):
        GENERAL = "general", "Resolution"
        RECOMMEND = "recommend", "To recommend the opportunity to the executives"

    class Method(models.TextChoices):
        CONSENSUS = "consensus", "Agreed by consensus"
        RECORDED = "recorded", "Recorded vote (each member's vote)"
        SHOW_OF_HANDS = "show_of_hands", "Show of hands (totals)"

    class Outcome(models.TextChoices):
        CARRIED = "carried", "Carried"
        LOST = "lost", "Lost"

    class Casting(models.TextChoices):
        NONE = "", "No casting vote"
        FOR = "for", "For"
        AGAINST = "against", "Against"

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="resolutions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    wording = models.TextField("the resolution")
    method = models.CharField(max_length=14, choices=Method.choices)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    abstentions = models.PositiveSmallIntegerField(default=0)
    casting_vote = models.CharField(max_length=8, choices=Casting.choices, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    put_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    recommendation = models.OneToOneField(
        "opportunities.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolution",
    )

    class Meta:
        ordering = ["agenda_item", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(casting_vote="")
                | ~Q(votes_for=models.F("votes_against"))
                | Q(votes_for=0),
                name="tie_is_settled_by_casting_vote",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.wording[:50]}"

    @property
    def was_voted(self) -> bool:
        return self.method != self.Method.CONSENSUS

    @property
    def summary(self) -> str:
        """ "Carried by consensus", "Carried: 5 for, 2 against, 1 abstention" and so on."""
        if not self.was_voted:
            return f"{self.get_outcome_display()} by consensus"
        abstained = f"{self.abstentions} abstention{'s' if self.abstentions != 1 else ''}"
        text = (
            f"{self.get_outcome_display()}: {self.votes_for} for, {self.votes_against} "
            f"against, {abstained}"
        )
        if self.casting_vote:
            text += f"; the chair's casting vote {self.get_casting_vote_display().lower()}"
        return text

    def deletion_refusal(self) -> str:
        """A resolution has no draft: it is recorded at a meeting that has been held, and from
        then on it is what the board resolved."""
        return (
            "A resolution is part of the meeting's record: record a further resolution to "
            "amend or rescind it."
        )


class Vote(models.Model):
    """One voting member's vote on a resolution (a recorded vote)."""

    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstain"

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        ordering = ["resolution", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "person"], name="one_vote_each"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_choice_display()}"

    def deletion_refusal(self) -> str:
        """Votes are recorded with their resolution and kept with it."""
        return "A recorded vote is part of the meeting's record."


class RegisteredInterest(models.Model):
    """An entry in a person's standing register of interests: entered by the person, reviewed
    by the secretariat, in force between its dates. Declarations at an item are prefilled from
    it."""

    class Category(models.TextChoices):
        EMPLOYMENT = "employment", "Employment, office, trade or profession"
        FINANCIAL = "financial", "Shares, securities or other financial interest"
        PROPERTY = "property", "Land or property"
        CONTRACTS = "contracts", "Contracts with a member body"
        MEMBERSHIP = "membership", "Membership of a body, charity or association"
        GIFTS = "gifts", "Gifts and hospitality"
        OTHER = "other", "Other"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="registered_interests")
    category = models.CharField(max_length=12, choices=Category.choices)
    description = models.TextField()
    starts_on = models.DateField("from")
    ends_on = models.DateField("until", null=True, blank=True)
    entered_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="interest_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["person", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.description[:40]}"

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def deletion_refusal(self) -> str:
        """An entry is the person's own draft until the secretariat has reviewed it; reviewed,
        it is the register's record (declarations were prefilled from it): end it instead."""
        if self.reviewed_at is None:
            return ""
        return "A reviewed entry is part of the register of interests: give it an end date instead."


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
    progress = models.TextField(
        "progress note", blank=True, help_text="Where the action stands, for matters arising."
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The version the action's status form carries (core.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "boards_action"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATES and self.due_on < timezone.localdate()

    def deletion_refusal(self) -> str:
        if self.meeting.status == Meeting.Status.DRAFT:
            return ""
        return "An action is part of the meeting's record: mark it “No longer needed” instead."


class MinuteSeries(models.Model):
    """A board's minute numbers for one year: "JAB/2026/14" is the 14th minute of 2026. The row
    is locked while numbers are given, so two meetings never share one."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=12, help_text="e.g. JAB")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "minute series"
        constraints = [
            models.UniqueConstraint(fields=["board", "year"], name="one_minute_series_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}/{self.year}"


class GuestAccount(models.Model):
    """An account made for an external guest invited by e-mail to one meeting: no board role,
    access to that meeting's Part 1 and the exempt items they are admitted to, and switched off
    once the meeting is over (``services.guest_accounts_expire``)."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="guest_account")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guest_accounts")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Guest account of {self.person} for {self.meeting}"


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

"""Members' notes on papers, and their own copies of a meeting's pack with their notes.

A note is the reader's own working material, not a record: its author may change or delete it.
It is anchored to the paper version it was written on (a page, the quoted text and where that
text starts and ends in the page's text), so when a new version arrives it shows as "on an
earlier version" rather than pointing at text that may have moved.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.permissions import Person
from core.concurrency import version_token
from meetings.models import Meeting, Paper, PaperVersion
from meetings.selectors import papers_visible_to

QUOTE_MAX = 2000
BODY_MAX = 5000


class PaperNoteQuerySet(models.QuerySet):
    def visible_to(self, person: Person) -> "PaperNoteQuerySet":
        """The notes the person may read: on papers they may open (whatever rule decides that,
        exempt business and markings included, lives in ``papers_visible_to``), their own and
        those shared with the meeting's readers. Every list of notes starts here."""
        if not person.is_authenticated:
            return self.none()
        return self.filter(paper__in=papers_visible_to(person)).filter(
            Q(author_id=person.pk) | Q(shared=True)
        )


class PaperNote(models.Model):
    """A highlight on a paper version, with the reader's note about it."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="notes")
    version = models.ForeignKey(PaperVersion, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_notes"
    )
    page = models.PositiveIntegerField()
    quote = models.TextField("highlighted text", max_length=QUOTE_MAX, blank=True)
    # Where the quote starts and ends in the page's text (as PDF.js reads it); empty when the
    # note was written without the viewer (the form on the page).
    start_offset = models.PositiveIntegerField(null=True, blank=True)
    end_offset = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField("note", max_length=BODY_MAX)
    shared = models.BooleanField(
        "share with the meeting's readers",
        default=False,
        help_text="Shared notes are seen by everyone who may read the paper.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperNoteQuerySet.as_manager()

    class Meta:
        ordering = ["page", "start_offset", "created_at", "pk"]
        indexes = [
            models.Index(fields=["paper", "author"], name="paper_note_by_author"),
            models.Index(fields=["paper", "shared"], name="paper_note_shared"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(page__gte=1),
                name="paper_note_page_from_one",
                violation_error_message="Pages are numbered from 1.",
            ),
            models.CheckConstraint(
                condition=Q(start_offset__isnull=True, end_offset__isnull=True)
                | Q(end_offset__gte=models.F("start_offset")),
                name="paper_note_offsets_in_order",
                violation_error_message="The highlight must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"Note on {self.paper}, page {self.page}"

    @property
    def edit_version(self) -> str:
        return version_token(self.updated_at)

    @property
    def on_earlier_version(self) -> bool:
        return self.version_id != self.paper.current_version_id


def _pack_name(instance: "NotesPack", filename: str) -> str:
    return f"notes-packs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class NotesPack(models.Model):
    """One member's request for their own copy of a meeting's papers with their notes, and
    the PDF a Celery task builds for it (the row comes first; the task fills it in)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be built"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes_packs")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_packs"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to=_pack_name, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # When the sweep is to queue the build again if no worker has finished it by then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["person", "meeting"], name="notes_pack_of_person")]

    def __str__(self) -> str:
        return f"{self.meeting} with the notes of {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("notes_packs", kwargs={"pk": self.meeting_id})

    @property
    def download_name(self) -> str:
        return f"Papers with my notes {timezone.localtime(self.meeting.starts_at):%Y-%m-%d}.pdf"

"""The board's annual collaboration report: each request is a run, built by a Celery task."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models import Board


def report_file_path(instance: "ReportRun", filename: str) -> str:
    """A generated name: the download's file name is chosen when it is served."""
    return f"reports/{uuid.uuid4().hex}.pdf"


class ReportRun(models.Model):
    """One request for the collaboration report of a board over a period, and its PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be built"

    FINISHED = (Status.DONE, Status.FAILED)
    MAX_ATTEMPTS = 3

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="report_runs")
    period_start = models.DateField("from")
    period_end = models.DateField("to")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to=report_file_path, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A run is a row before it is a task: when the sweep is to queue it again if no worker has
    # taken it by then, and how often a worker has started it (a run whose worker died is
    # started again, up to MAX_ATTEMPTS).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["board", "-requested_at"], name="report_run_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_run_period_in_order",
                violation_error_message="The end of the period must be on or after its start.",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_run_progress_max"),
        ]

    def __str__(self) -> str:
        return f"Collaboration report {self.period_label} ({self.board})"

    def get_absolute_url(self) -> str:
        return reverse("report_run", kwargs={"slug": self.board.slug, "pk": self.pk})

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def download_name(self) -> str:
        """A safe file name: the board's slug and the dates, nothing typed by a person."""
        return (
            f"collaboration-report-{self.board.slug}-"
            f"{self.period_start:%Y-%m-%d}-to-{self.period_end:%Y-%m-%d}.pdf"
        )

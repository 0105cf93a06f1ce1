"""Thin Celery tasks: they take ids, fetch afresh and return quietly when there is nothing to do."""

from celery import shared_task
from django.utils import timezone

from core.enqueue import enqueue
from notifications.tasks import sweep_time

from .models import NotesPack
from .pdfs import notes_pack_store

SWEEP_BATCH = 50


@shared_task(acks_late=True)
def build_notes_pack(pack_id: int) -> None:
    """Build a member's copy of a meeting's papers with their notes."""
    notes_pack_store(pack_id=pack_id)


@shared_task(acks_late=True)
def sweep_notes_packs() -> int:
    """Queue again the copies left waiting (the broker was down, or the worker stopped); run
    by beat every minute. Returns how many were queued."""
    now = timezone.now()
    due = list(
        NotesPack.objects.filter(status=NotesPack.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    NotesPack.objects.filter(pk__in=due).update(next_attempt_at=sweep_time(now))
    for queued, pk in enumerate(due):
        if not enqueue(build_notes_pack, pk, what=f"{len(due) - queued} copies with notes"):
            return queued
    return len(due)

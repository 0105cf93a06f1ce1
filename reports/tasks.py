"""Thin Celery tasks: they take ids, fetch afresh and return quietly when there is nothing to do."""

from celery import shared_task

from .collaboration import report_build


@shared_task(acks_late=True)
def build_collaboration_report(run_id: int) -> None:
    """Build the PDF of a report run that is waiting to start."""
    report_build(run_id=run_id)

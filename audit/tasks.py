"""The weekly check of the file store (see core.files)."""

import logging

from celery import shared_task

from core.files import file_store_check

from .models import FileStoreReport

log = logging.getLogger(__name__)


@shared_task(ignore_result=True, time_limit=30 * 60)
def check_file_store() -> int:
    """Compare the store with the rows, keep the result as a report row (in the admin) and log
    each problem. Returns the report's id."""
    check = file_store_check()
    report = FileStoreReport.objects.create(
        files_stored=check.files_stored, orphaned=check.orphaned, missing=check.missing
    )
    for name in check.orphaned:
        log.warning("Orphaned file in the store (no row names it): %s", name)
    for row in check.missing:
        log.error("A row names a file the store does not hold: %s", row)
    log.info("File store checked: %s", report.summary)
    return report.pk

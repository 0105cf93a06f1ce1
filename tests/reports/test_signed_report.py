"""The annual collaboration report signed by the worker as its last step, the reason naming who
asked for it, and its SHA-256 anchored in the audit chain; its page says whether it is signed."""

import hashlib
import io

import pytest
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from audit.models import AuditEvent
from reports.models import ReportRun
from reports.services import report_run_request
from tests.signing import validate_with

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def built(board, alice, capture) -> ReportRun:
    with capture(execute=True):
        run = report_run_request(
            board=board, requested_by=alice, start=TODAY.replace(month=4, day=1), end=TODAY
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    return run


def stored(run: ReportRun) -> bytes:
    with run.file.open("rb") as handle:
        return handle.read()


def test_the_report_is_signed_and_anchored(
    board, alice, signing_authority, django_capture_on_commit_callbacks
):
    run = built(board, alice, django_capture_on_commit_callbacks)
    content = stored(run)
    assert validate_with(signing_authority, content).bottom_line
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[-1]
    assert (
        signature.sig_object["/Reason"] == "Issued by Alice Archer, Secretariat, 26 November 2026"
    )
    event = AuditEvent.objects.get(verb="document.issued", after__kind="collaboration_report")
    assert event.after["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["signed"] is True


def test_the_report_page_says_whether_it_is_signed(
    client_of, board, alice, bob, django_capture_on_commit_callbacks
):
    run = built(board, alice, django_capture_on_commit_callbacks)
    page = client_of(bob).get(run.get_absolute_url()).text
    assert "This PDF is <strong>not signed</strong>" in page
    event = AuditEvent.objects.get(verb="document.issued", after__kind="collaboration_report")
    assert event.after["sha256"] == hashlib.sha256(stored(run)).hexdigest()
    assert reverse("document_verify") in page

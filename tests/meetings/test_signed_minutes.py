"""Approved minutes signed with the board's certificate (PAdES, pyHanko) as the worker's last
step, their SHA-256 anchored in the audit chain, and approval only with a fresh second factor."""

import hashlib
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.status import SignatureCoverageLevel

from audit.chain import event_holds
from audit.models import AuditEvent
from boards.two_factor import VERIFIED_AT
from core.check_answers import CONFIRM_FIELD
from core.govuk import govuk_date
from meetings.models import Meeting
from tests.factories import AgendaItemFactory
from tests.signing import make_authority, validate_with

pytestmark = pytest.mark.django_db


def approve(client, meeting, capture):
    with capture(execute=True):
        return client.post(
            reverse("meeting_transition", kwargs={"pk": meeting.pk}),
            {"to": Meeting.Status.MINUTES_APPROVED, CONFIRM_FIELD: "yes"},
        )


@pytest.fixture
def drafted(held):
    item = held.items.get()
    item.minutes = "Agreed to share the Leamington depot."
    item.save()
    AgendaItemFactory(meeting=held, title="Depot sale", confidential=True, minutes="Terms.")
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_DRAFTED)
    held.refresh_from_db()
    return held


@pytest.fixture
def approved(client_of, drafted, dave, django_capture_on_commit_callbacks):
    approve(client_of(dave), drafted, django_capture_on_commit_callbacks)
    drafted.refresh_from_db()
    assert drafted.minutes_pdf_state == Meeting.FileState.READY
    return drafted


def download(client, name, meeting) -> bytes:
    response = client.get(reverse(name, kwargs={"pk": meeting.pk}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_signed_minutes_validate_against_the_test_ca(client_of, signing_authority, approved, bob):
    content = download(client_of(bob), "minutes_download", approved)
    status = validate_with(signing_authority, content)
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    today = govuk_date(timezone.localdate())
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[-1]
    assert signature.sig_object["/Reason"] == f"Approved by Dave Dunn, Chair, {today}"


def test_one_altered_byte_fails_validation(client_of, signing_authority, approved, bob):
    content = bytearray(download(client_of(bob), "minutes_download", approved))
    # A byte inside the first signed range: the page content, long before the signature.
    content[len(content) // 4] ^= 0x01
    status = validate_with(signing_authority, bytes(content))
    assert not status.intact
    assert not status.bottom_line


def test_another_authority_does_not_vouch_for_the_minutes(
    client_of, signing_authority, approved, bob
):
    content = download(client_of(bob), "minutes_download", approved)
    status = validate_with(make_authority("Some Other CA"), content)
    assert status.intact and not status.trusted


def test_part_2_minutes_are_signed_too(client_of, signing_authority, approved, dave):
    content = download(client_of(dave), "minutes_part2_download", approved)
    assert validate_with(signing_authority, content).bottom_line


def test_each_minutes_pdf_is_anchored_in_the_audit_chain(
    client_of, signing_authority, approved, dave
):
    client = client_of(dave)
    part1 = download(client, "minutes_download", approved)
    part2 = download(client, "minutes_part2_download", approved)
    events = {
        event.after["kind"]: event
        for event in AuditEvent.objects.filter(verb="document.issued").for_subject(approved)
    }
    assert events["minutes"].after["sha256"] == hashlib.sha256(part1).hexdigest()
    assert events["minutes_part2"].after["sha256"] == hashlib.sha256(part2).hexdigest()
    assert all(event.after["signed"] for event in events.values())
    assert "Winter meeting" in events["minutes"].after["title"]
    # Written into the hash chain by PostgreSQL, and the chain holds there.
    assert events["minutes"].chain_position is not None
    assert event_holds(events["minutes"].pk) is True


def test_the_meeting_page_says_the_minutes_are_signed(client_of, signing_authority, approved, bob):
    page = client_of(bob).get(approved.get_absolute_url()).text
    assert "This PDF is signed with the board's certificate" in page
    assert "Approved by Dave Dunn, Chair" in page


def test_without_a_certificate_the_minutes_are_issued_unsigned_and_said_so(
    client_of, approved, bob, settings
):
    assert settings.PDF_SIGNING_CERTIFICATE == ""
    content = download(client_of(bob), "minutes_download", approved)
    assert b"/ByteRange" not in content
    event = AuditEvent.objects.filter(verb="document.issued", after__kind="minutes").get()
    assert event.after == {
        **event.after,
        "signed": False,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    page = client_of(bob).get(approved.get_absolute_url()).text
    assert "This PDF is <strong>not signed</strong>" in page


def test_approval_without_a_recent_second_factor_is_refused(
    client_of, signing_authority, drafted, dave, django_capture_on_commit_callbacks
):
    client = client_of(dave)
    session = client.session
    session[VERIFIED_AT] = int(time.time()) - 20 * 60  # past the 15-minute step-up window
    session.save()
    response = approve(client, drafted, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))
    assert "step_up=1" in response.url
    drafted.refresh_from_db()
    assert drafted.status == Meeting.Status.MINUTES_DRAFTED
    assert drafted.minutes_approved_by is None
    assert not AuditEvent.objects.filter(verb="document.issued").exists()


def test_approval_with_a_recent_second_factor_signs_the_minutes(
    client_of, signing_authority, drafted, dave, django_capture_on_commit_callbacks
):
    response = approve(client_of(dave), drafted, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == drafted.get_absolute_url()
    drafted.refresh_from_db()
    assert drafted.status == Meeting.Status.MINUTES_APPROVED
    assert AuditEvent.objects.filter(verb="document.issued", after__signed=True).count() == 2

"""The "verify a document" page: an uploaded PDF is recognised by its SHA-256 in the audit
chain and by its signature against the board's certificate; altered and foreign PDFs are named
as such; bad uploads get a sentence; only people with a board role or executive authority may
use it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from audit.models import AuditEvent
from core.signing import sign_pdf
from meetings.models import Meeting
from meetings.pdfs import minutes_pdf_store
from tests.factories import UserFactory
from tests.signing import configure_signing, make_authority

pytestmark = pytest.mark.django_db

URL = reverse("document_verify")


def render_pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=f"<h1>{text}</h1>").write_pdf())


@pytest.fixture
def approved(held, dave):
    """Minutes approved by the chair, their PDFs built by the worker's task."""
    item = held.items.get()
    item.minutes = "Agreed."
    item.save()
    Meeting.objects.filter(pk=held.pk).update(
        status=Meeting.Status.MINUTES_APPROVED,
        minutes_approved_by=dave,
        minutes_approved_at=held.starts_at,
        minutes_pdf_state=Meeting.FileState.BUILDING,
    )
    minutes_pdf_store(meeting_id=held.pk)
    held.refresh_from_db()
    return held


def minutes_bytes(meeting) -> bytes:
    with meeting.minutes_pdf.open("rb") as handle:
        return handle.read()


def check(client, content: bytes, name: str = "minutes.pdf"):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(URL, {"document": upload})


def test_a_signed_minutes_pdf_is_confirmed(client_of, signing_authority, approved, bob):
    response = check(client_of(bob), minutes_bytes(approved))
    assert response.status_code == 200
    page = response.text
    assert "Unaltered: issued by the portal" in page
    assert "the approved minutes (public version, Part 1) of Winter meeting" in page
    assert "Its signature is valid and was made with the board's certificate" in page
    assert "Approved by Dave Dunn, Chair" in page


def test_an_altered_signed_pdf_is_named_altered(client_of, signing_authority, approved, bob):
    content = bytearray(minutes_bytes(approved))
    content[len(content) // 4] ^= 0x01
    page = check(client_of(bob), bytes(content)).text
    assert "Altered: do not rely on this PDF" in page
    assert "its content no longer matches the signature" in page
    assert "Unaltered" not in page


def test_a_signed_pdf_with_pages_added_after_signing_is_named_altered(
    client_of, signing_authority, approved, bob
):
    writer = IncrementalPdfFileWriter(io.BytesIO(minutes_bytes(approved)), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    page = check(client_of(bob), output.getvalue()).text
    assert "Altered: do not rely on this PDF" in page
    assert "content was added to it after it was signed" in page


def test_a_foreign_unsigned_pdf_is_not_recognised(client_of, signing_authority, bob):
    page = check(client_of(bob), render_pdf_bytes("Minutes of another board")).text
    assert "Not a document issued by the portal" in page
    assert "carries no signature" in page


def test_a_pdf_signed_by_another_authority_is_not_recognised(client_of, settings, tmp_path, bob):
    other = tmp_path / "other"
    other.mkdir()
    configure_signing(settings, other, make_authority("Another Council CA"))
    foreign = sign_pdf(render_pdf_bytes("Forged minutes"), reason="Approved by nobody").content
    configure_signing(settings, tmp_path)  # the board's own certificate again
    page = check(client_of(bob), foreign).text
    assert "Not a document issued by the portal" in page
    assert "not with the board's certificate" in page


def test_minutes_issued_unsigned_are_confirmed_by_the_audit_chain(client_of, approved, bob):
    page = check(client_of(bob), minutes_bytes(approved)).text
    assert "Unaltered: issued by the portal" in page
    assert "It was issued unsigned" in page
    assert "no signing certificate is configured" in page


def test_minutes_signed_before_the_certificate_was_renewed_are_still_confirmed(
    client_of, signing_authority, approved, bob, settings, tmp_path
):
    content = minutes_bytes(approved)
    renewed = tmp_path / "renewed"
    renewed.mkdir()
    configure_signing(settings, renewed, make_authority("Renewed Root CA"))
    page = check(client_of(bob), content).text
    assert "Unaltered: issued by the portal" in page
    assert "a certificate the portal no longer uses" in page


def test_each_check_is_recorded(client_of, signing_authority, approved, bob):
    check(client_of(bob), minutes_bytes(approved))
    event = AuditEvent.objects.get(verb="document.verified")
    assert event.actor == bob and event.after["verdict"] == "issued"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: choose the PDF to check."),
        (b"PK\x03\x04 a zip, not a PDF", "This file is not a PDF."),
        (b" " * 2000 + b"%PDF-1.7 too late to be a PDF", "This file is not a PDF."),
    ],
)
def test_a_file_that_is_not_a_pdf_is_a_form_error(client_of, bob, content, message):
    response = check(client_of(bob), content, name="paper.pdf")
    assert response.status_code == 200
    assert message in response.text
    assert "There is a problem with what you entered" in response.text


def test_a_damaged_pdf_is_not_recognised_and_gives_no_error(client_of, bob):
    response = check(client_of(bob), b"%PDF-1.7\nthis is not really a PDF\n%%EOF")
    assert response.status_code == 200
    assert "Not a document issued by the portal" in response.text


def test_no_file_is_a_form_error(client_of, bob):
    response = client_of(bob).post(URL, {})
    assert "Choose the PDF to check." in response.text


def test_a_file_over_the_limit_is_refused(client_of, bob, settings):
    settings.VERIFY_MAX_MB = 1
    response = check(client_of(bob), b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    assert "The file is larger than 1 MB" in response.text


def test_the_page_says_when_no_certificate_is_configured(client_of, bob):
    page = client_of(bob).get(URL).text
    assert "no signing certificate is configured" in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize("person", ["bob", "dave", "alice", "erin", "charlie"])
def test_people_with_a_board_role_or_executive_authority_may_check(client_of, request, person):
    response = client_of(request.getfixturevalue(person)).get(URL)
    assert response.status_code == 200
    assert "Verify a document" in response.text


def test_a_person_with_no_role_or_authority_is_refused(client_of, police):
    nobody = UserFactory(full_name="Norah Nobody", organisation=police)
    client = client_of(nobody)
    assert client.get(URL).status_code == 403
    response = check(client, b"%PDF-1.7\n%%EOF")
    assert response.status_code == 403
    assert "Only people with a role on a board" in response.text
    assert not AuditEvent.objects.filter(verb="document.verified").exists()


def test_the_menu_offers_the_page_only_to_those_who_may_use_it(client_of, bob, police):
    assert URL in client_of(bob).get(reverse("home")).text
    nobody = UserFactory(full_name="Norah Nobody", organisation=police)
    assert URL not in client_of(nobody).get(reverse("home")).text

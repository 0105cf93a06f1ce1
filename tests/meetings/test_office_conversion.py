"""Word, Excel and PowerPoint papers converted to PDF by LibreOffice in a worker: in the agenda
pack and in the viewer once converted, "not converted yet" until then (or without LibreOffice).
The real conversions need LibreOffice, which .ci/test-services installs."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from core.uploads import DOCX
from meetings.conversions import conversions_due
from meetings.models import AgendaItem, Meeting, PaperVersion
from meetings.services import paper_upload
from meetings.tasks import convert_paper_version, sweep_meeting_pdfs
from tests.factories import PaperFactory, pdf_bytes

pytestmark = pytest.mark.django_db
SENTENCE = "Fleet workshop savings of forty thousand pounds."


def docx_bytes(text: str) -> bytes:
    """A small but real Word document of one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
            '" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f"{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def upload_docx(meeting, alice):
    return paper_upload(
        meeting=meeting,
        actor=alice,
        upload=SimpleUploadedFile(
            "Fleet.docx", docx_bytes(SENTENCE), content_type=DOCX.content_type
        ),
        kind=DOCX,
        title="Shared fleet workshop",
        agenda_item=AgendaItem.objects.get(meeting=meeting),
    )


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def read_url(version):
    return reverse("paper_read", args=[version.paper.meeting_id, version.paper_id])


def test_an_office_paper_is_converted_after_commit_and_the_pack_holds_it(
    published, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = upload_docx(published, alice)
    version.refresh_from_db()
    assert version.pdf_state == PaperVersion.Conversion.READY
    assert SENTENCE in pdf_text(version.pdf_file)
    published.refresh_from_db()
    assert published.pack_state == Meeting.FileState.READY
    assert SENTENCE in pdf_text(published.pack_file)


def test_a_converted_paper_opens_in_the_viewer(client_of, published, alice, bob):
    version = upload_docx(published, alice)
    convert_paper_version(version.pk)
    version.refresh_from_db()
    client = client_of(bob)
    page = client.get(read_url(version))
    pdf_url = reverse("paper_pdf", args=[published.pk, version.paper_id, 1])
    assert f'data-pdf-url="{pdf_url}"' in page.text
    assert "Not converted yet" not in page.text
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_without_libreoffice_the_paper_waits_and_the_portal_says_so(
    client_of, settings, published, alice, bob
):
    settings.SOFFICE_BINARY = "no-such-soffice"
    version = upload_docx(published, alice)
    convert_paper_version(version.pk)
    version.refresh_from_db()
    assert version.pdf_state == PaperVersion.Conversion.WAITING
    assert conversions_due(10) == []
    page = client_of(bob).get(read_url(version))
    assert "Not converted yet" in page.text
    assert "no LibreOffice" in page.text
    assert 'id="paper-viewer"' not in page.text
    meeting_page = client_of(bob).get(published.get_absolute_url())
    assert "(PDF: not converted yet)" in meeting_page.text
    pdf_url = reverse("paper_pdf", args=[published.pk, version.paper_id, 1])
    refused = client_of(bob).get(pdf_url)
    assert refused.status_code == 404
    assert "not been converted to PDF yet" in refused.text


def fake_soffice(tmp_path, body: str) -> str:
    program = tmp_path / "soffice"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return str(program)


@pytest.mark.parametrize("body", ["exit 1", "sleep 5", "exit 0"])
def test_a_conversion_that_fails_or_runs_too_long_is_marked_failed(
    client_of, settings, tmp_path, published, alice, bob, body
):
    settings.SOFFICE_BINARY = fake_soffice(tmp_path, body)
    settings.OFFICE_CONVERSION_TIMEOUT = 1
    version = upload_docx(published, alice)
    convert_paper_version(version.pk)
    version.refresh_from_db()
    assert version.pdf_state == PaperVersion.Conversion.FAILED
    assert not version.pdf_file
    assert "could not be converted to PDF" in client_of(bob).get(read_url(version)).text


def test_the_sweep_converts_papers_once_libreoffice_is_there(
    settings, monkeypatch, tmp_path, published, alice
):
    settings.SOFFICE_BINARY = "no-such-soffice"
    version = upload_docx(published, alice)
    PaperVersion.objects.filter(pk=version.pk).update(pdf_next_attempt_at=version.uploaded_at)
    sweep_meeting_pdfs()
    version.refresh_from_db()
    assert version.pdf_state == PaperVersion.Conversion.WAITING
    # A stand-in LibreOffice that writes a PDF where the real one would.
    settings.SOFFICE_BINARY = fake_soffice(
        tmp_path, 'for last; do :; done; cp "$SAMPLE_PDF" "${last%.docx}.pdf"'
    )
    sample = tmp_path / "sample.pdf"
    sample.write_bytes(pdf_bytes(1))
    monkeypatch.setenv("SAMPLE_PDF", str(sample))
    sweep_meeting_pdfs()
    version.refresh_from_db()
    assert version.pdf_state == PaperVersion.Conversion.READY


def test_pdfs_need_no_conversion(published, alice):
    paper = PaperFactory(meeting=published)
    assert paper.current_version.pdf_state == PaperVersion.Conversion.NOT_NEEDED
    assert paper.current_version.readable_pdf == paper.current_version.file


@pytest.mark.parametrize("name", ["charlie", "frank"])
def test_the_converted_pdf_is_served_only_to_readers_of_the_paper(
    request, client_of, published, alice, name
):
    version = upload_docx(published, alice)
    url = reverse("paper_pdf", args=[published.pk, version.paper_id, 1])
    assert client_of(request.getfixturevalue(name)).get(url).status_code == 404

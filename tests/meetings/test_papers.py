"""Papers: judged by their content, stored under a generated name, and served only through a
permission-checked view as an attachment — confidential items' papers only to the board's own
members among the invitees."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from meetings.models import Meeting, Paper, PaperVersion
from tests.factories import (
    AgendaItemFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


def office_file(main_part="word/document.xml", extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(client, meeting, name, content, content_type="application/pdf", **fields):
    return client.post(
        reverse("paper_upload", kwargs={"pk": meeting.pk}),
        {
            "title": fields.get("title", "A paper"),
            "agenda_item": fields.get("item", ""),
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
        follow=True,
    )


def test_secretariat_uploads_a_pdf_stored_under_a_generated_name(client_of, published, alice):
    response = upload(client_of(alice), published, "Budget 2026.pdf", pdf_bytes(), title="Budget")
    assert "“Budget” is uploaded (version 1)." in response.content.decode()
    version = PaperVersion.objects.get()
    assert version.original_name == "Budget 2026.pdf"
    assert version.content_type == "application/pdf"
    assert "Budget" not in version.file.name
    assert version.file.name.startswith("papers/") and version.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("minutes.docx", office_file("word/document.xml"), "docx"),
        ("figures.xlsx", office_file("xl/workbook.xml"), "xlsx"),
        ("slides.pptx", office_file("ppt/presentation.xml"), "pptx"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, "jpeg"),
    ],
)
def test_office_documents_and_images_are_accepted_by_their_content(
    client_of, published, alice, name, content, kind
):
    upload(client_of(alice), published, name, content, content_type="application/octet-stream")
    assert PaperVersion.objects.get().kind == kind


def test_a_renamed_executable_is_refused_with_a_clear_message(client_of, published, alice):
    response = upload(client_of(alice), published, "report.pdf", b"MZ\x90\x00" + b"\0" * 200)
    body = response.content.decode()
    assert "This file is a program, not a document" in body
    assert "whatever its name says" in body
    assert not Paper.objects.exists()


def test_a_text_file_named_like_a_word_document_is_refused(client_of, published, alice):
    response = upload(
        client_of(alice),
        published,
        "notes.docx",
        b"just some text",
        content_type=uploads.DOCX.content_type,
    )
    assert "is not a PDF, a Word, Excel or PowerPoint document" in response.content.decode()
    assert not Paper.objects.exists()


def test_an_oversize_file_is_refused(client_of, published, alice, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    response = upload(client_of(alice), published, "big.pdf", b"%PDF-1.7\n" + b"0" * 4096)
    assert "the largest paper the portal accepts is 1.0" in response.content.decode()
    assert not Paper.objects.exists()


def test_a_zip_bomb_is_refused(client_of, published, alice, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_SIZE", 50_000)
    bomb = office_file(extra=[("word/media/filler.bin", b"\0" * 100_000)])
    response = upload(client_of(alice), published, "bomb.docx", bomb)
    assert "unpacks to far more than a document would" in response.content.decode()
    assert not Paper.objects.exists()


def test_a_zip_with_too_many_entries_is_refused(client_of, published, alice, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 5)
    many = office_file(extra=[(f"word/part{n}.xml", "<x/>") for n in range(10)])
    response = upload(client_of(alice), published, "many.docx", many)
    assert "unpacks to far more than a document would" in response.content.decode()


def test_a_plain_zip_or_a_macro_document_is_refused(client_of, published, alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    body = upload(client_of(alice), published, "archive.docx", buffer.getvalue()).content.decode()
    assert "is not a PDF, a Word" in body
    macro = office_file(extra=[("word/vbaProject.bin", b"\0")])
    body = upload(client_of(alice), published, "macro.docx", macro).content.decode()
    assert "contains macros" in body
    assert not Paper.objects.exists()


def test_a_new_version_keeps_the_old_one(client_of, published, alice):
    paper = PaperFactory(meeting=published, title="Budget")
    client_of(alice).post(
        reverse("paper_new_version", kwargs={"pk": published.pk, "paper": paper.pk}),
        {"file": SimpleUploadedFile("Budget v2.pdf", pdf_bytes(2))},
    )
    paper.refresh_from_db()
    assert paper.current_version.number == 2
    assert list(paper.versions.values_list("number", flat=True)) == [2, 1]


def download(client, paper):
    return client.get(reverse("paper_download", kwargs={"pk": paper.meeting_id, "paper": paper.pk}))


def test_a_paper_is_served_as_an_attachment_with_safe_headers(client_of, published, bob):
    paper = PaperFactory(meeting=published, title="Budget")
    version = paper.current_version
    version.original_name = "Budget £ 2026 \u2013 “final”.pdf"
    version.save()
    response = download(client_of(bob), paper)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Budget%20%C2%A3%202026" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_stored_files_are_never_reachable_by_a_media_url(client_of, published, alice, settings):
    paper = PaperFactory(meeting=published)
    name = paper.current_version.file.name
    assert client_of(alice).get(f"/media/{name}").status_code == 404
    assert client_of(alice).get(f"{settings.MEDIA_URL}{name}").status_code == 404


@pytest.fixture
def confidential_paper(published):
    item = AgendaItemFactory(meeting=published, title="Depot sale", confidential=True)
    return PaperFactory(meeting=published, agenda_item=item, title="Valuation")


def test_invited_board_members_and_the_secretariat_read_confidential_papers(
    client_of, confidential_paper, alice, bob
):
    assert download(client_of(bob), confidential_paper).status_code == 200
    assert download(client_of(alice), confidential_paper).status_code == 200


def test_a_guest_cannot_fetch_a_confidential_paper_by_its_url(client_of, confidential_paper, erin):
    response = download(client_of(erin), confidential_paper)
    assert response.status_code == 404
    body = client_of(erin).get(confidential_paper.meeting.get_absolute_url()).content.decode()
    # Neither the exempt item nor its paper's title reach a guest; the item is shown by its
    # number and reason only.
    assert "Valuation" not in body
    assert confidential_paper.agenda_item.title not in body
    assert "Exempt business, for the board's members and those the secretariat admits." in body
    assert confidential_paper.get_absolute_url() not in body


def test_a_guest_reads_the_ordinary_papers(client_of, published, erin):
    assert download(client_of(erin), PaperFactory(meeting=published)).status_code == 200


def test_nobody_outside_the_meeting_can_fetch_a_paper(
    client_of, client, published, charlie, board, fire
):
    paper = PaperFactory(meeting=published)
    uninvited = UserFactory(organisation=fire)
    MembershipFactory(person=uninvited, board=board)
    assert download(client_of(charlie), paper).status_code == 404
    assert download(client_of(uninvited), paper).status_code == 404
    client.logout()
    response = download(client, paper)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_papers_are_not_readable_by_invitees_before_publication(
    client_of, published, bob, alice, dave
):
    published.status = Meeting.Status.SCHEDULED
    published.save()
    paper = PaperFactory(meeting=published)
    assert download(client_of(bob), paper).status_code == 404
    assert download(client_of(alice), paper).status_code == 200
    assert download(client_of(dave), paper).status_code == 200


def test_a_paper_of_another_meeting_is_not_found_through_this_one(
    client_of, published, alice, board
):
    from tests.factories import MeetingFactory

    other = PaperFactory(meeting=MeetingFactory(board=board, created_by=alice))
    url = reverse("paper_download", kwargs={"pk": published.pk, "paper": other.pk})
    assert client_of(alice).get(url).status_code == 404


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Board paper.pdf", "Board paper.pdf"),
        ('evil"\r\nX-Header: 1.pdf', "evilX-Header 1.pdf"),
        ("report.exe", "report.pdf"),
        ("...", "paper.pdf"),
    ],
)
def test_the_original_name_is_kept_safely_and_ends_as_its_real_kind(given, kept):
    assert uploads.safe_original_name(given, uploads.PDF) == kept

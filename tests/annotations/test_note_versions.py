"""Notes stay on the version they were written on: a new version flags them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import PDF
from meetings.services import paper_upload
from tests.factories import pdf_bytes

from .conftest import note_on

pytestmark = pytest.mark.django_db


def new_version(paper, alice):
    return paper_upload(
        meeting=paper.meeting,
        actor=alice,
        upload=SimpleUploadedFile("v2.pdf", pdf_bytes(3), content_type="application/pdf"),
        kind=PDF,
        paper=paper,
    )


def test_notes_on_the_current_version_are_not_flagged(client_of, open_paper, bob):
    note_on(open_paper, bob, body="Before anything changed")
    page = client_of(bob).get(reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk]))
    assert "Before anything changed" in page.text
    assert "On an earlier version" not in page.text


def test_notes_carried_to_a_new_version_are_flagged(client_of, open_paper, bob, owen, alice):
    note = note_on(open_paper, bob, body="On the first draft")
    shared = note_on(open_paper, bob, shared=True, body="Shared on the first draft")
    version = new_version(open_paper, alice)
    open_paper.refresh_from_db()
    assert open_paper.current_version == version
    note.refresh_from_db()
    assert note.on_earlier_version and note.version.number == 1
    for person, body in ((bob, "On the first draft"), (owen, "Shared on the first draft")):
        page = client_of(person).get(
            reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk])
        )
        assert body in page.text
        assert "On an earlier version (version 1)" in page.text
        # A highlight is placed only on the version it was made on.
        assert f'data-note-id="{shared.pk}" data-page="1">' in page.text


def test_a_new_note_goes_on_the_new_version(client_of, open_paper, bob, alice):
    version = new_version(open_paper, alice)
    client_of(bob).post(
        reverse("paper_notes", args=[open_paper.meeting_id, open_paper.pk]),
        {"page": "3", "body": "On the new draft"},
    )
    assert open_paper.notes.get().version == version


def test_my_notes_on_the_meeting_page_say_which_are_on_an_earlier_version(
    client_of, open_paper, bob, alice
):
    note_on(open_paper, bob, body="Looked at version one")
    new_version(open_paper, alice)
    note_on(open_paper.__class__.objects.get(pk=open_paper.pk), bob, body="Looked at version two")
    page = client_of(bob).get(reverse("meeting_detail", args=[open_paper.meeting_id]))
    assert "My notes" in page.text
    assert page.text.count("on an earlier version") == 1

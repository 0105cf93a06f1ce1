"""A member's own copy of the meeting's papers with their notes: a row first, built by a task,
downloaded by its requester only."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.annotations.models import NotesPack
from meetings.annotations.pdfs import notes_pack_store
from meetings.annotations.tasks import sweep_notes_packs

from .conftest import note_on

pytestmark = pytest.mark.django_db


def packs_url(meeting):
    return reverse("notes_packs", args=[meeting.pk])


def text_of(pack):
    with pack.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_asking_for_a_copy_writes_a_row_then_the_task_builds_it(
    client_of, open_paper, exempt_paper, bob, owen, django_capture_on_commit_callbacks
):
    note_on(open_paper, bob, body="My private worry about the lease")
    note_on(exempt_paper, bob, shared=True, body="My note on the valuation")
    note_on(open_paper, owen, shared=True, body="Owen's shared note")
    client = client_of(bob)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(packs_url(open_paper.meeting))
    assert response.status_code == 302
    pack = NotesPack.objects.get()
    assert (pack.person, pack.status) == (bob, NotesPack.Status.QUEUED)
    assert len(callbacks) == 1
    callbacks[0]()  # the task runs in-process in the tests
    pack.refresh_from_db()
    assert pack.status == NotesPack.Status.READY
    pages, text = text_of(pack)
    # cover + the open paper's 2 pages + notes + the exempt paper's page + notes
    assert pages == 6
    assert "My private worry about the lease" in text
    assert "My note on the valuation" in text
    assert "Owen's shared note" not in text
    page = client.get(packs_url(open_paper.meeting))
    assert "Ready" in page.text
    download = client.get(reverse("notes_pack_download", args=[open_paper.meeting_id, pack.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_guests_copy_leaves_out_exempt_papers_and_their_notes(open_paper, exempt_paper, erin):
    note_on(open_paper, erin, body="Guest note")
    pack = NotesPack.objects.create(meeting=open_paper.meeting, person=erin)
    notes_pack_store(pack_id=pack.pk)
    pack.refresh_from_db()
    pages, text = text_of(pack)
    assert pages == 4  # cover, the open paper (2 pages), notes
    assert "Valuation report" not in text
    assert "Guest note" in text


def test_a_copy_is_built_once_whatever_the_retries(open_paper, bob):
    pack = NotesPack.objects.create(meeting=open_paper.meeting, person=bob)
    notes_pack_store(pack_id=pack.pk)
    pack.refresh_from_db()
    first = pack.file.name
    notes_pack_store(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.file.name == first


def test_the_sweep_queues_copies_left_waiting(open_paper, bob):
    from django.utils import timezone

    pack = NotesPack.objects.create(
        meeting=open_paper.meeting, person=bob, next_attempt_at=timezone.now()
    )
    assert sweep_notes_packs() == 1
    pack.refresh_from_db()
    assert pack.status == NotesPack.Status.READY  # tasks run in-process in the tests


@pytest.mark.parametrize("name", ["owen", "alice", "charlie"])
def test_nobody_else_downloads_a_copy(request, client_of, open_paper, bob, name):
    pack = NotesPack.objects.create(meeting=open_paper.meeting, person=bob)
    notes_pack_store(pack_id=pack.pk)
    client = client_of(request.getfixturevalue(name))
    url = reverse("notes_pack_download", args=[open_paper.meeting_id, pack.pk])
    assert client.get(url).status_code == 404


def test_a_copy_not_ready_is_a_404_with_a_sentence(client_of, open_paper, bob):
    pack = NotesPack.objects.create(meeting=open_paper.meeting, person=bob)
    response = client_of(bob).get(
        reverse("notes_pack_download", args=[open_paper.meeting_id, pack.pk])
    )
    assert response.status_code == 404
    assert "not ready yet" in response.text


@pytest.mark.parametrize("name", ["frank", "charlie"])
def test_people_who_may_not_read_the_papers_cannot_ask_for_a_copy(
    request, client_of, open_paper, name
):
    client = client_of(request.getfixturevalue(name))
    assert client.post(packs_url(open_paper.meeting)).status_code == 404
    assert not NotesPack.objects.exists()


def test_anonymous_cannot_ask_for_a_copy(client, open_paper):
    assert client.post(packs_url(open_paper.meeting)).status_code == 302
    assert not NotesPack.objects.exists()

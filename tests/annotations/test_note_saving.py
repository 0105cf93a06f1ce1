"""Saving notes: the JSON endpoint the viewer uses and the form on the paper's page."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from meetings.annotations.models import PaperNote
from tests.meetings.helpers import opened

from .conftest import note_on

pytestmark = pytest.mark.django_db


def notes_url(paper):
    return reverse("paper_notes", args=[paper.meeting_id, paper.pk])


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


HIGHLIGHT = {
    "page": 2,
    "quote": "a shared fire and police station",
    "start_offset": 120,
    "end_offset": 152,
    "body": "Ask about the lease break",
    "shared": False,
}


def test_a_member_saves_a_private_note_from_the_viewer(client_of, open_paper, bob):
    response = post_json(client_of(bob), notes_url(open_paper), HIGHLIGHT)
    assert response.status_code == 201
    note = PaperNote.objects.get()
    assert (note.author, note.page, note.start_offset, note.end_offset) == (bob, 2, 120, 152)
    assert note.version == open_paper.current_version and not note.shared
    assert response.json()["note"]["quote"] == "a shared fire and police station"


def test_a_shared_note_is_saved_shared(client_of, open_paper, bob):
    post_json(client_of(bob), notes_url(open_paper), {**HIGHLIGHT, "shared": True})
    assert PaperNote.objects.get().shared


def test_the_endpoint_is_csrf_protected(open_paper, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    from tests.two_factor import pass_second_factor

    pass_second_factor(client, bob)
    response = post_json(client, notes_url(open_paper), HIGHLIGHT)
    assert response.status_code == 403
    assert not PaperNote.objects.exists()


@pytest.mark.parametrize("name", ["charlie", "frank"])
def test_people_who_may_not_read_the_paper_cannot_write_notes_on_it(
    request, client_of, open_paper, name
):
    response = post_json(client_of(request.getfixturevalue(name)), notes_url(open_paper), HIGHLIGHT)
    assert response.status_code == 404
    assert not PaperNote.objects.exists()


def test_a_guest_cannot_write_notes_on_an_exempt_paper(client_of, exempt_paper, erin):
    response = post_json(client_of(erin), notes_url(exempt_paper), HIGHLIGHT)
    assert response.status_code == 404
    assert not PaperNote.objects.exists()


def test_anonymous_cannot_write_notes(client, open_paper):
    response = post_json(client, notes_url(open_paper), HIGHLIGHT)
    assert response.status_code == 302
    assert not PaperNote.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({**HIGHLIGHT, "body": ""}, "body"),
        ({**HIGHLIGHT, "page": 0}, "page"),
        ({**HIGHLIGHT, "page": "two"}, "page"),
        ({**HIGHLIGHT, "end_offset": 3}, "select the text again"),
        ({**HIGHLIGHT, "end_offset": None}, "select the text again"),
        ({**HIGHLIGHT, "body": "x" * 5001}, "body"),
    ],
)
def test_bad_notes_are_refused_with_a_reason(client_of, open_paper, bob, data, message):
    response = post_json(client_of(bob), notes_url(open_paper), data)
    assert response.status_code == 400
    assert message in json.dumps(response.json())
    assert not PaperNote.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "\xff"])
def test_malformed_json_is_refused_with_a_sentence(client_of, open_paper, bob, body):
    response = client_of(bob).post(notes_url(open_paper), body, content_type="application/json")
    assert response.status_code == 400
    assert "could not be read" in response.json()["error"]


def test_the_form_on_the_page_saves_a_note_without_javascript(client_of, open_paper, bob):
    client = client_of(bob)
    response = client.post(
        notes_url(open_paper),
        {"page": "1", "quote": "", "body": "Read before Tuesday", "shared": "on"},
    )
    assert response.status_code == 302
    note = PaperNote.objects.get()
    assert note.shared and note.start_offset is None
    assert "Read before Tuesday" in client.get(response["Location"]).text


def test_the_form_shows_its_errors_in_the_page(client_of, open_paper, bob):
    response = client_of(bob).post(notes_url(open_paper), {"page": "", "body": ""})
    assert response.status_code == 400
    assert "There are problems with what you entered" in response.text
    assert not PaperNote.objects.exists()


def test_the_endpoint_lists_the_notes_as_json(client_of, open_paper, bob, owen):
    note_on(open_paper, bob, body="Mine")
    note_on(open_paper, owen, body="Owen's private")
    note_on(open_paper, owen, shared=True, body="Owen's shared")
    listed = client_of(bob).get(notes_url(open_paper)).json()["notes"]
    assert sorted(n["body"] for n in listed) == ["Mine", "Owen's shared"]
    assert {n["body"]: n["mine"] for n in listed} == {"Mine": True, "Owen's shared": False}


# --- changing and deleting -----------------------------------------------------------------------


def edit_url(note):
    return reverse("note_edit", args=[note.paper.meeting_id, note.paper_id, note.pk])


def test_the_author_changes_their_note_and_shares_it(client_of, open_paper, bob):
    note = note_on(open_paper, bob)
    client = client_of(bob)
    assert client.get(edit_url(note)).status_code == 200
    response = client.post(
        edit_url(note), opened(note, {"body": "Figures checked", "shared": "on"})
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.shared) == ("Figures checked", True)


def test_an_edit_opened_on_a_stale_version_is_refused(client_of, open_paper, bob):
    note = note_on(open_paper, bob)
    stale = opened(note, {"body": "Old tab", "shared": ""})
    client = client_of(bob)
    client.post(edit_url(note), opened(note, {"body": "New tab", "shared": ""}))
    response = client.post(edit_url(note), stale)
    assert response.status_code == 400
    assert "changed by someone else after you opened this page" in response.text
    note.refresh_from_db()
    assert note.body == "New tab"


def test_a_stale_json_edit_is_refused_with_409(client_of, open_paper, bob):
    note = note_on(open_paper, bob)
    stale = note.edit_version
    client = client_of(bob)
    post_json(client, edit_url(note), {"body": "First", "version": stale})
    response = post_json(client, edit_url(note), {"body": "Second", "version": stale})
    assert response.status_code == 409
    note.refresh_from_db()
    assert note.body == "First"


@pytest.mark.parametrize("name", ["owen", "dave", "alice"])
def test_others_cannot_change_or_delete_a_shared_note(request, client_of, open_paper, bob, name):
    note = note_on(open_paper, bob, shared=True)
    client = client_of(request.getfixturevalue(name))
    assert client.post(edit_url(note), opened(note, {"body": "Hijacked"})).status_code == 403
    delete = reverse("note_delete", args=[open_paper.meeting_id, open_paper.pk, note.pk])
    assert client.post(delete).status_code == 403
    note.refresh_from_db()
    assert note.body == "Check the figures"


def test_others_cannot_find_a_private_note(client_of, open_paper, bob, owen):
    note = note_on(open_paper, bob)
    assert client_of(owen).get(edit_url(note)).status_code == 404


def test_the_author_deletes_their_note(client_of, open_paper, bob):
    note = note_on(open_paper, bob)
    delete = reverse("note_delete", args=[open_paper.meeting_id, open_paper.pk, note.pk])
    response = client_of(bob).post(delete)
    assert response.status_code == 302
    assert not PaperNote.objects.exists()


def test_deleting_is_post_only(client_of, open_paper, bob):
    note = note_on(open_paper, bob)
    delete = reverse("note_delete", args=[open_paper.meeting_id, open_paper.pk, note.pk])
    assert client_of(bob).get(delete).status_code == 405
    assert PaperNote.objects.exists()

"""A meeting's PDF that could not be built (the agenda pack, the approved minutes) is built
again at the secretariat's request, like a failed message sent again from the message log."""

import pytest
from django.urls import reverse

from meetings import tasks
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_pack(published):
    Meeting.objects.filter(pk=published.pk).update(pack_state=Meeting.FileState.FAILED)
    published.refresh_from_db()
    return published


@pytest.fixture
def builds(monkeypatch):
    """The builds asked for (the PDFs themselves are drawn in test_agenda_pack)."""
    asked = []
    monkeypatch.setattr(tasks, "agenda_pack_store", lambda **kwargs: asked.append(("pack", kwargs)))
    monkeypatch.setattr(
        tasks, "minutes_pdf_store", lambda **kwargs: asked.append(("minutes", kwargs))
    )
    return asked


def rebuild(client, meeting, capture):
    with capture(execute=True):
        return client.post(reverse("meeting_pdfs_rebuild", kwargs={"pk": meeting.pk}), follow=True)


def test_the_secretariat_builds_a_failed_pack_again(
    client_of, alice, failed_pack, builds, django_capture_on_commit_callbacks
):
    page = client_of(alice).get(failed_pack.get_absolute_url())
    assert "Build it again" in page.content.decode()
    response = rebuild(client_of(alice), failed_pack, django_capture_on_commit_callbacks)
    assert "Building the agenda pack again." in response.content.decode()
    failed_pack.refresh_from_db()
    assert failed_pack.pack_state == Meeting.FileState.BUILDING
    assert builds == [
        ("pack", {"meeting_id": failed_pack.pk, "generation": failed_pack.pack_generation})
    ]


def test_the_secretariat_builds_failed_minutes_again(
    client_of, alice, published, builds, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=published.pk).update(
        status=Meeting.Status.MINUTES_APPROVED, minutes_pdf_state=Meeting.FileState.FAILED
    )
    response = rebuild(client_of(alice), published, django_capture_on_commit_callbacks)
    assert "Building the minutes PDF again." in response.content.decode()
    assert builds == [("minutes", {"meeting_id": published.pk})]


def test_nothing_to_build_is_said_plainly(
    client_of, alice, published, builds, django_capture_on_commit_callbacks
):
    response = rebuild(client_of(alice), published, django_capture_on_commit_callbacks)
    assert "nothing to build" in response.content.decode()
    assert builds == []


def test_a_member_may_not_ask_and_sees_no_button(
    client_of, bob, failed_pack, builds, django_capture_on_commit_callbacks
):
    assert (
        "Build it again" not in client_of(bob).get(failed_pack.get_absolute_url()).content.decode()
    )
    response = client_of(bob).post(reverse("meeting_pdfs_rebuild", kwargs={"pk": failed_pack.pk}))
    assert response.status_code == 403
    assert builds == []


def test_another_boards_person_finds_no_meeting(client_of, charlie, failed_pack, builds):
    response = client_of(charlie).post(
        reverse("meeting_pdfs_rebuild", kwargs={"pk": failed_pack.pk})
    )
    assert response.status_code == 404
    assert builds == []


def test_anonymous_is_sent_to_sign_in(client, failed_pack, builds):
    response = client.post(reverse("meeting_pdfs_rebuild", kwargs={"pk": failed_pack.pk}))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert builds == []


def test_asking_with_get_is_refused(client_of, alice, failed_pack):
    response = client_of(alice).get(reverse("meeting_pdfs_rebuild", kwargs={"pk": failed_pack.pk}))
    assert response.status_code == 405

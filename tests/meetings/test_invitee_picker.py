"""The invite picker lists only the board's people; anyone else is found by exact e-mail."""

import pytest
from django.urls import reverse

from meetings.models import MeetingInvitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(meeting):
    return reverse("invitee_add", kwargs={"pk": meeting.pk})


def test_the_picker_lists_the_boards_people_but_not_other_boards(
    client_of, alice, meeting, erin, charlie
):
    UserFactory(full_name="Olive Outsider")
    body = client_of(alice).get(url(meeting)).content.decode()
    assert "Erin Evans" in body  # the Fire executive: of a member body
    assert charlie.full_name not in body  # another board's secretariat
    assert "Olive Outsider" not in body


def test_a_person_outside_the_list_cannot_be_picked_by_id(client_of, alice, meeting, charlie):
    response = client_of(alice).post(url(meeting), {"person": charlie.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MeetingInvitation.objects.filter(person=charlie).exists()


def test_a_guest_is_found_by_exact_email(client_of, alice, meeting, charlie):
    response = client_of(alice).post(url(meeting), {"email": charlie.email.upper()}, follow=True)
    assert f"{charlie.full_name} is invited as a guest." in response.content.decode()
    assert MeetingInvitation.objects.get(meeting=meeting, person=charlie).is_guest


def test_part_of_an_email_finds_no_one(client_of, alice, meeting, charlie):
    partial = charlie.email.split("@")[0]
    response = client_of(alice).post(url(meeting), {"email": f"{partial}@"})
    assert response.status_code == 200
    assert not MeetingInvitation.objects.filter(person=charlie).exists()
    response = client_of(alice).post(url(meeting), {"email": "nobody@elsewhere.example"})
    assert "No one signs in to the portal with this e-mail address" in response.content.decode()


def test_neither_or_both_is_a_clear_error(client_of, alice, meeting, erin, charlie):
    neither = client_of(alice).post(url(meeting), {})
    assert "Choose a person from the list, or give an e-mail address" in neither.content.decode()
    both = client_of(alice).post(url(meeting), {"person": erin.pk, "email": charlie.email})
    assert "Choose a person from the list, or give an e-mail address" in both.content.decode()
    assert not MeetingInvitation.objects.filter(person__in=[erin, charlie]).exists()


def test_an_already_invited_person_found_by_email_is_refused(client_of, alice, published, bob):
    response = client_of(alice).post(url(published), {"email": bob.email})
    assert "Bob" in response.content.decode() and "is already invited" in response.content.decode()


def test_only_the_secretariat_may_invite(client_of, bob, charlie, published, client):
    assert client_of(bob).post(url(published), {"email": bob.email}).status_code == 403
    assert client_of(charlie).get(url(published)).status_code == 404
    client.logout()
    assert client.get(url(published)).status_code == 302

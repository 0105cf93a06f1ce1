"""The secretariat records who attended: present, apologies, absent or a substitute."""

import pytest
from django.urls import reverse

from meetings.models import MeetingInvitation

pytestmark = pytest.mark.django_db


def test_secretariat_records_attendance(client_of, held, alice, bob, dave):
    invitations = {i.person_id: i for i in held.invitations.all()}
    response = client_of(alice).post(
        reverse("attendance_record", kwargs={"pk": held.pk}),
        {
            f"attendance_{invitations[bob.pk].pk}": "present",
            f"attendance_{invitations[dave.pk].pk}": "substitute",
            f"attendance_{invitations[alice.pk].pk}": "present",
        }
        | {f"attendance_{i.pk}": "absent" for i in held.invitations.filter(is_guest=True)},
    )
    assert response.status_code == 302
    attendance = dict(held.invitations.values_list("person__full_name", "attendance"))
    assert attendance == {
        "Alice Archer": "present",
        "Bob Baker": "present",
        "Dave Dunn": "substitute",
        "Erin Evans": "absent",
    }


def test_an_unknown_attendance_value_is_a_form_error(client_of, held, alice):
    invitation = held.invitations.first()
    response = client_of(alice).post(
        reverse("attendance_record", kwargs={"pk": held.pk}),
        {f"attendance_{invitation.pk}": "teleported"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert MeetingInvitation.objects.get(pk=invitation.pk).attendance == "unrecorded"


def test_attendance_is_not_recorded_for_a_draft(client_of, meeting, alice):
    response = client_of(alice).get(
        reverse("attendance_record", kwargs={"pk": meeting.pk}), follow=True
    )
    assert "Attendance is recorded from the day of the meeting" in response.content.decode()

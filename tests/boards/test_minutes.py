"""At and after the meeting: attendance, declarations of interest, minutes per item (locked
once the chair approves them, with a PDF produced by a Celery task) and actions."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from boards.models import Action, DeclarationOfInterest, Meeting, MeetingInvitation
from tests.factories import ActionFactory, AgendaItemFactory

pytestmark = pytest.mark.django_db


def minutes_url(meeting, item):
    return reverse("minutes_edit", kwargs={"pk": meeting.pk, "item": item.pk})


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


def test_an_invitee_declares_their_own_interest(client_of, held, bob):
    item = held.items.get()
    client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {"agenda_item": item.pk, "nature": "My spouse works for the contractor."},
    )
    declaration = DeclarationOfInterest.objects.get()
    assert (declaration.person, declaration.agenda_item, declaration.recorded_by) == (
        bob,
        item,
        bob,
    )


def test_secretariat_records_a_declaration_for_an_invitee(client_of, held, alice, dave):
    client_of(alice).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {"person": dave.pk, "agenda_item": "", "nature": "Trustee of a local charity."},
    )
    declaration = DeclarationOfInterest.objects.get()
    assert (declaration.person, declaration.recorded_by, declaration.agenda_item) == (
        dave,
        alice,
        None,
    )
    body = client_of(alice).get(held.get_absolute_url()).content.decode()
    assert "Trustee of a local charity." in body


def test_secretariat_writes_the_minutes_of_an_item(client_of, held, alice):
    item = held.items.get()
    client_of(alice).post(minutes_url(held, item), {"minutes": "The board agreed to proceed."})
    item.refresh_from_db()
    assert item.minutes == "The board agreed to proceed."


def test_minutes_cannot_be_written_before_the_meeting_is_held(client_of, published, alice):
    item = published.items.get()
    response = client_of(alice).post(
        minutes_url(published, item), {"minutes": "Too early"}, follow=True
    )
    assert "Minutes are written once the meeting has been held." in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == ""


@pytest.fixture
def approved(client_of, held, alice, dave, django_capture_on_commit_callbacks):
    item = held.items.get()
    item.minutes = "Agreed."
    item.save()
    AgendaItemFactory(
        meeting=held, title="Depot sale", confidential=True, minutes="Secret terms.", position=9
    )
    ActionFactory(meeting=held, agenda_item=item, owner=dave, description="Write to the chief.")
    client_of(alice).post(
        reverse("meeting_transition", kwargs={"pk": held.pk}), {"to": "minutes_drafted"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_of(dave).post(
            reverse("meeting_transition", kwargs={"pk": held.pk}), {"to": "minutes_approved"}
        )
    held.refresh_from_db()
    return held


def test_approved_minutes_are_locked_with_a_clear_message(client_of, approved, alice):
    item = approved.items.get(title="Shared estates")
    response = client_of(alice).post(minutes_url(approved, item), {"minutes": "Rewritten"})
    assert response.status_code == 403
    assert "approved by the chair on" in response.content.decode()
    assert "they can no longer be changed" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == "Agreed."


def test_approved_minutes_take_no_new_declarations(client_of, approved, bob):
    response = client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": approved.pk}), {"nature": "Late"}
    )
    assert response.status_code == 403
    assert not DeclarationOfInterest.objects.exists()


def test_approving_the_minutes_produces_their_pdf_without_confidential_minutes(
    client_of, approved, bob
):
    assert approved.minutes_pdf_state == Meeting.FileState.READY
    response = client_of(bob).get(reverse("minutes_download", kwargs={"pk": approved.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Agreed." in text
    assert "Write to the chief." in text
    assert "Depot sale" in text and "Secret terms." not in text
    assert "Dave Dunn" in text


def test_secretariat_adds_an_action_and_the_owner_sees_it_at_home(client_of, held, alice, bob):
    client_of(alice).post(
        reverse("action_add", kwargs={"pk": held.pk}),
        {"description": "Cost the shared depot.", "owner": bob.pk, "due_on": "2031-01-31"},
    )
    action = Action.objects.get()
    assert (action.owner, action.status, str(action.due_on)) == (bob, "open", "2031-01-31")
    home = client_of(bob).get(reverse("home")).content.decode()
    assert "My open actions" in home and "Cost the shared depot." in home


def test_the_owner_marks_their_action_done_and_it_leaves_their_home_page(client_of, held, bob):
    action = ActionFactory(meeting=held, owner=bob, description="Cost the shared depot.")
    client_of(bob).post(
        reverse("action_status", kwargs={"pk": held.pk, "action": action.pk}),
        {"status": "done", "next": "home"},
    )
    action.refresh_from_db()
    assert action.status == "done"
    assert "Cost the shared depot." not in client_of(bob).get(reverse("home")).content.decode()


def test_an_unknown_action_status_is_a_bad_request(client_of, held, bob):
    action = ActionFactory(meeting=held, owner=bob)
    response = client_of(bob).post(
        reverse("action_status", kwargs={"pk": held.pk, "action": action.pk}),
        {"status": "vanished"},
    )
    assert response.status_code == 400


def test_a_guest_does_not_see_declarations_or_actions_of_confidential_items(
    client_of, held, alice, bob, erin
):
    secret = AgendaItemFactory(meeting=held, title="Depot sale", confidential=True, position=5)
    ActionFactory(meeting=held, agenda_item=secret, owner=bob, description="Negotiate the price.")
    DeclarationOfInterest.objects.create(
        meeting=held, agenda_item=secret, person=bob, nature="Owns land nearby.", recorded_by=bob
    )
    guest_page = client_of(erin).get(held.get_absolute_url()).content.decode()
    assert "Negotiate the price." not in guest_page and "Owns land nearby." not in guest_page
    member_page = client_of(bob).get(held.get_absolute_url()).content.decode()
    assert "Negotiate the price." in member_page and "Owns land nearby." in member_page


def test_actions_are_not_added_before_the_meeting_is_held(client_of, published, alice, bob):
    response = client_of(alice).post(
        reverse("action_add", kwargs={"pk": published.pk}),
        {"description": "Too soon", "owner": bob.pk, "due_on": "2031-01-31"},
        follow=True,
    )
    assert "Actions are added once the meeting is held" in response.content.decode()
    assert not Action.objects.exists()

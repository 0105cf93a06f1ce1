"""Actions from a meeting: an owner, a due date and a status; owners see theirs at home."""

import pytest
from django.urls import reverse

from meetings.models import Action, DeclarationOfInterest
from tests.factories import ActionFactory, AgendaItemFactory
from tests.meetings.helpers import opened

pytestmark = pytest.mark.django_db


def test_secretariat_adds_an_action_and_the_owner_sees_it_at_home(client_of, held, alice, bob):
    client_of(alice).post(
        reverse("action_add", kwargs={"pk": held.pk}),
        {"description": "Cost the shared depot.", "owner": bob.pk, "due_on": "2031-01-31"},
    )
    action = Action.objects.get()
    assert (action.owner, action.status, str(action.due_on)) == (bob, "open", "2031-01-31")
    home = client_of(bob).get(reverse("home")).content.decode()
    assert "My open actions" in home and "Cost the shared depot." in home
    assert reverse("action_status", kwargs={"pk": held.pk, "action": action.pk}) in home


def test_the_owner_marks_their_action_done_and_it_leaves_their_home_page(client_of, held, bob):
    action = ActionFactory(meeting=held, owner=bob, description="Cost the shared depot.")
    client_of(bob).post(
        reverse("action_status", kwargs={"pk": held.pk, "action": action.pk}),
        opened(action, {"status": "done", "next": "home"}),
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

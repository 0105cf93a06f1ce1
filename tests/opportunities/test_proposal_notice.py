"""A new proposal reaches the secretariat: a notice, and a line in "Needs my attention"."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from opportunities import services
from opportunities.models import Status

pytestmark = pytest.mark.django_db


def test_a_new_proposal_notifies_the_secretariat_only(
    client_of, board, alice, bob, dave, police, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(bob).post(
            reverse("opportunity_propose"),
            {
                "title": "Joint drone unit",
                "summary": "Share drones for searches.",
                "theme": "response",
                "lead_organisation": police.pk,
            },
        )
    assert response.status_code == 302
    notice = Notification.objects.get(kind=Notification.Kind.PROPOSAL_NEW)
    assert notice.recipient == alice
    assert "proposed" in notice.subject
    assert notice.payload["proposed_by"] == "Bob Baker"


def test_the_proposal_waits_in_the_secretariats_attention_panel(
    client_of, alice, bob, dave, opportunity
):
    home = client_of(alice).get(reverse("home")).content.decode()
    assert "New proposals to assess" in home and opportunity.title in home
    assert "New proposals to assess" not in client_of(bob).get(reverse("home")).content.decode()
    assert "New proposals to assess" not in client_of(dave).get(reverse("home")).content.decode()
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    assert "New proposals to assess" not in client_of(alice).get(reverse("home")).content.decode()

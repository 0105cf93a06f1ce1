import pytest
from django.urls import reverse

from audit.models import AuditEvent
from boards.models import BoardMembership
from opportunities.models import Opportunity, Status
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("opportunity_propose")


def proposal(lead, *bodies, **changes):
    data = {
        "title": "Joint arson reduction taskforce",
        "summary": "Target deliberate fires together.",
        "theme": "prevention",
        "lead_organisation": lead.pk,
        "participating_organisations": [b.pk for b in bodies],
        f"estimate_{lead.pk}": "40000",
        "estimated_cost": "30000.50",
        "non_cashable_benefits": "Safer neighbourhoods",
        "risks": "",
    }
    data.update(changes)
    return data


def test_member_proposes_an_opportunity(client_of, bob, board, fire, police):
    response = client_of(bob).post(URL, proposal(fire, police))
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == opportunity.get_absolute_url()
    assert opportunity.status == Status.PROPOSED
    assert (opportunity.board, opportunity.proposed_by) == (board, bob)
    assert set(opportunity.participating_organisations.all()) == {fire, police}
    assert opportunity.reference == f"BLC-{opportunity.pk:04d}"
    event = AuditEvent.objects.for_subject(opportunity).get()
    assert event.verb == "proposed" and event.actor == bob


def test_posted_status_and_owner_are_ignored(client_of, bob, alice, fire):
    client_of(bob).post(URL, proposal(fire, status="approved", owner=alice.pk, rag="green"))
    opportunity = Opportunity.objects.get()
    assert (opportunity.status, opportunity.owner, opportunity.rag) == (Status.PROPOSED, None, "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter the title"),
        ({"theme": "space"}, "Select a valid choice."),
        ({"estimated_cost": "-5"}, "Enter an amount of £0 or more."),
        ({"estimated_cost": "lots"}, "Enter a number."),
    ],
    ids=["no title", "unknown theme", "negative cost", "cost not a number"],
)
def test_bad_input_is_refused_and_nothing_saved(client_of, bob, fire, changes, message):
    response = client_of(bob).post(URL, proposal(fire, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Opportunity.objects.exists()


def test_a_lead_body_outside_the_board_is_refused(client_of, bob, outsider_org):
    response = client_of(bob).post(URL, proposal(outsider_org))
    assert "Select a valid choice" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_observer_executive_and_person_without_a_board_may_not_propose(
    client_of, board, fire, erin
):
    observer = UserFactory(organisation=fire)
    MembershipFactory(person=observer, board=board, role=BoardMembership.Role.OBSERVER)
    assert client_of(observer).post(URL, proposal(fire)).status_code == 403
    assert client_of(erin).get(URL).status_code == 403
    assert not Opportunity.objects.exists()


def test_person_of_another_board_proposes_only_to_their_own(client_of, charlie, fire):
    response = client_of(charlie).post(URL, proposal(fire))
    assert response.status_code == 200  # the form for their own board, refusing this body
    assert not Opportunity.objects.filter(board__slug="warwickshire").exists()


def test_anonymous_is_sent_to_sign_in(client, fire):
    assert client.post(URL, proposal(fire))["Location"].startswith("/sign-in/")

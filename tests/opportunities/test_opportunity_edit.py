import pytest
from django.urls import reverse

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import Opportunity, Status
from tests.opportunities.helpers import opened

pytestmark = pytest.mark.django_db


def url(opportunity):
    return reverse("opportunity_edit", kwargs={"pk": opportunity.pk})


def edit(opportunity, **changes):
    data = {
        "title": opportunity.title,
        "summary": opportunity.summary,
        "theme": opportunity.theme,
        "lead_organisation": opportunity.lead_organisation_id,
        "participating_organisations": list(
            opportunity.participating_organisations.values_list("pk", flat=True)
        ),
        "estimated_cost": "",
        "non_cashable_benefits": "",
        "risks": "",
        "owner": "",
        "rag": "",
        "next_review_on": "",
    }
    data.update(changes)
    return data


def test_secretariat_assesses_and_the_change_is_on_the_timeline(client_of, alice, bob, opportunity):
    client = client_of(alice)
    response = client.post(
        url(opportunity),
        opened(
            opportunity,
            edit(
                opportunity,
                rag="amber",
                owner=bob.pk,
                next_review_on="2027-03-01",
                estimated_cost="1000",
            ),
        ),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.rag, opportunity.owner, str(opportunity.next_review_on)) == (
        "amber",
        bob,
        "2027-03-01",
    )
    event = AuditEvent.objects.for_subject(opportunity).get(verb="edited")
    assert event.before == {
        "estimated_cost": None,
        "next_review_on": None,
        "owner": None,
        "rag": "",
    }
    assert event.after == {
        "estimated_cost": "1000.00",
        "next_review_on": "2027-03-01",
        "owner": "Bob Baker",
        "rag": "amber",
    }
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Edited RAG rating" in page


def test_saving_without_changes_adds_no_event(client_of, alice, opportunity):
    client_of(alice).post(url(opportunity), opened(opportunity, edit(opportunity)))
    assert not AuditEvent.objects.for_subject(opportunity).filter(verb="edited").exists()


def test_bad_input_is_refused_and_nothing_changes(client_of, alice, opportunity, charlie):
    response = client_of(alice).post(
        url(opportunity),
        opened(opportunity, edit(opportunity, title="", owner=charlie.pk, next_review_on="soon")),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the title" in body
    assert "Enter a valid date." in body
    assert Opportunity.objects.get(pk=opportunity.pk).title == opportunity.title


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 404)])
def test_others_may_not_edit(client_of, request, opportunity, person, status):
    client = client_of(request.getfixturevalue(person))
    assert client.get(url(opportunity)).status_code == status
    assert (
        client.post(
            url(opportunity), opened(opportunity, edit(opportunity, title="Hijacked"))
        ).status_code
        == status
    )
    assert Opportunity.objects.get(pk=opportunity.pk).title != "Hijacked"


def test_anonymous_is_sent_to_sign_in(client, opportunity):
    assert client.get(url(opportunity))["Location"].startswith("/sign-in/")


def test_an_edit_does_not_put_back_a_status_that_moved_meanwhile(alice, opportunity):
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    services.opportunity_update(opportunity=stale, actor=alice, title="Renamed")
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.status) == ("Renamed", Status.UNDER_ASSESSMENT)

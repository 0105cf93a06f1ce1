import itertools

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import AUTOMATIC, TRANSITIONS, Opportunity, Status

pytestmark = pytest.mark.django_db

MANUAL = sorted(
    (source, target)
    for source, targets in TRANSITIONS.items()
    for target in targets
    if target not in AUTOMATIC.get(source, frozenset())
)
AUTOMATIC_ONLY = sorted((s, t) for s, targets in AUTOMATIC.items() for t in targets)
REFUSED = sorted(
    (source, target)
    for source, target in itertools.product(Status.values, Status.values)
    if target not in TRANSITIONS.get(source, frozenset())
)


def put_in(opportunity, status):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=status)
    opportunity.refresh_from_db()
    return opportunity


@pytest.mark.parametrize(("source", "target"), MANUAL)
def test_each_manual_transition_is_allowed_and_recorded(opportunity, alice, source, target):
    put_in(opportunity, source)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=target, reason="The board agreed"
    )
    opportunity.refresh_from_db()
    assert opportunity.status == target
    event = AuditEvent.objects.for_subject(opportunity).filter(verb="status").get()
    assert (event.before, event.after, event.actor) == (
        {"status": source},
        {"status": target},
        alice,
    )


@pytest.mark.parametrize(("source", "target"), AUTOMATIC_ONLY)
def test_automatic_transitions_cannot_be_made_by_hand(opportunity, alice, source, target):
    put_in(opportunity, source)
    with pytest.raises(services.WorkflowError):
        services.opportunity_transition(opportunity=opportunity, actor=alice, to=target)
    services.opportunity_transition(opportunity=opportunity, actor=alice, to=target, automatic=True)
    opportunity.refresh_from_db()
    assert opportunity.status == target


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_each_other_transition_is_refused_with_a_sentence(opportunity, alice, source, target):
    put_in(opportunity, source)
    with pytest.raises(services.WorkflowError, match="cannot be moved"):
        services.opportunity_transition(
            opportunity=opportunity, actor=alice, to=target, automatic=True
        )
    opportunity.refresh_from_db()
    assert opportunity.status == source
    assert not AuditEvent.objects.for_subject(opportunity).filter(verb="status").exists()


def test_a_stale_status_loses_the_race(opportunity, alice):
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    with pytest.raises(services.WorkflowError, match="changed by someone else"):
        services.opportunity_transition(
            opportunity=stale, actor=alice, to=Status.WITHDRAWN, reason="No longer needed"
        )
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.UNDER_ASSESSMENT


def url(opportunity):
    return reverse("opportunity_transition", kwargs={"pk": opportunity.pk})


def test_secretariat_moves_an_opportunity_through_the_page(client_of, alice, opportunity):
    response = client_of(alice).post(
        url(opportunity), {"to": "under_assessment", "reason": "Papers in"}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == Status.UNDER_ASSESSMENT
    page = client_of(alice).get(opportunity.get_absolute_url()).content.decode()
    assert "Status changed from Proposed to Under assessment: Papers in" in page


def test_a_disallowed_status_from_the_page_gets_a_message_not_an_error(
    client_of, alice, opportunity
):
    client = client_of(alice)
    response = client.post(url(opportunity), {"to": "implemented"}, follow=True)
    assert response.status_code == 200
    assert "cannot be moved to the status you chose" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.status == Status.PROPOSED
    assert client.post(url(opportunity), {"to": "no-such-status"}).status_code == 302


def test_member_without_the_role_may_not_change_status(client_of, bob, opportunity):
    response = client_of(bob).post(url(opportunity), {"to": "withdrawn"})
    assert response.status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.status == Status.PROPOSED


def test_person_of_another_board_and_executive_get_not_found(client_of, charlie, erin, opportunity):
    assert client_of(charlie).post(url(opportunity), {"to": "withdrawn"}).status_code == 404
    assert client_of(erin).post(url(opportunity), {"to": "withdrawn"}).status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.status == Status.PROPOSED


def test_anonymous_is_sent_to_sign_in_and_a_plain_get_changes_nothing(
    client, client_of, alice, opportunity
):
    response = client.post(url(opportunity), {"to": "withdrawn"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    response = client_of(alice).get(url(opportunity))
    assert response.status_code == 302 and response["Location"] == opportunity.get_absolute_url()
    opportunity.refresh_from_db()
    assert opportunity.status == Status.PROPOSED

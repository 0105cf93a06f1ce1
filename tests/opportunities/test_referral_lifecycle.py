"""A referral's life as data: when the outcome is known, or the opportunity is put on hold,
resumed or withdrawn, its open referrals follow in the same transaction, leave the inboxes,
home panels and reminder runs, refuse decisions with a sentence, and their executives are told."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from opportunities import services
from opportunities.models import Opportunity, Referral, ReferralEvent, Status
from opportunities.reminders import decision_reminders_send
from opportunities.selectors import overdue_decisions, referrals_awaiting
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def status_of(referral):
    referral.refresh_from_db()
    return referral.status


def notices(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind))


def hold(opportunity, alice, reason="Waiting for the estates survey"):
    opportunity.refresh_from_db()
    return services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.ON_HOLD, reason=reason
    )


# --- the outcome known ---------------------------------------------------------------------------


def test_one_decline_closes_every_other_open_referral_at_once(
    referred, police, fire, council, pat, erin, cara
):
    decide(referral_for(referred, police), pat, "declined", notes="Not affordable.")
    fire_referral, council_referral = referral_for(referred, fire), referral_for(referred, council)
    assert status_of(fire_referral) == status_of(council_referral) == "outcome_decided"
    assert fire_referral.closed_at is not None
    assert "outcome" in fire_referral.closed_reason
    closing = ReferralEvent.objects.get(referral=fire_referral)
    assert (closing.kind, closing.outcome) == ("closed", "outcome_decided")
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.NOT_APPROVED


def test_closed_referrals_leave_inboxes_panels_and_reminders(
    client_of, referred, police, fire, pat, erin, alice, board
):
    Referral.objects.filter(recommendation=referred).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    decide(referral_for(referred, police), pat, "declined")
    assert list(client_of(erin).get(reverse("referral_inbox")).context["awaiting"]) == []
    assert referrals_awaiting(erin) == []
    assert overdue_decisions([board]) == []
    assert decision_reminders_send() == 0
    assert not Notification.objects.filter(kind__startswith="decision_overdue").exists()


def test_a_decision_on_a_referral_closed_by_the_outcome_is_refused_with_a_sentence(
    client_of, referred, police, fire, pat, erin
):
    decide(referral_for(referred, police), pat, "declined")
    referral = referral_for(referred, fire)
    with pytest.raises(services.ReferralNotDecidable, match="outcome was already decided"):
        decide(referral, erin, "approved")
    page = client_of(erin).post(
        reverse("referral_detail", kwargs={"pk": referral.pk}),
        {"outcome": "approved", "reference": "FRA/1", "revision": referral.revision},
        follow=True,
    )
    assert "No decision can be recorded on it" in page.content.decode()
    assert status_of(referral) == "outcome_decided"


def test_every_executive_concerned_and_the_board_are_told_the_outcome(
    referred, police, pat, erin, cara, alice, bob
):
    decide(referral_for(referred, police), pat, "declined")
    for person in (pat, erin, cara, alice, bob):
        assert len(notices(person, Notification.Kind.OUTCOME_KNOWN)) == 1, person


def test_a_deferral_stays_in_the_history_when_the_body_decides_again(referred, fire, erin):
    referral = referral_for(referred, fire)
    decide(referral, erin, "deferred", reference="FRA/D1", notes="Send the survey.")
    decide(referral, erin, "approved", reference="FRA/2")
    steps = list(referral.events.values_list("kind", "outcome", "reference", "note"))
    assert steps == [
        ("decision", "deferred", "FRA/D1", "Send the survey."),
        ("decision", "approved", "FRA/2", "Noted."),
    ]


# --- on hold and resumed ------------------------------------------------------------------------


def test_hold_pauses_the_referrals_and_tells_their_executives(
    client_of, referred, fire, erin, cara, alice
):
    hold(referred.opportunity, alice)
    referral = referral_for(referred, fire)
    assert status_of(referral) == "pending"
    assert referral.paused_on == timezone.localdate()
    assert list(client_of(erin).get(reverse("referral_inbox")).context["awaiting"]) == []
    assert decision_reminders_send() == 0
    assert [n.payload["what"] for n in notices(erin, Notification.Kind.REFERRAL_CLOSED)] == [
        "paused"
    ]
    assert notices(cara, Notification.Kind.REFERRAL_CLOSED)
    with pytest.raises(services.ReferralNotDecidable, match="on hold"):
        decide(referral, erin)


def test_hold_needs_a_reason(referred, alice):
    opportunity = referred.opportunity
    with pytest.raises(services.WorkflowError, match="Give the reason"):
        services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.ON_HOLD)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.AWAITING_DECISIONS


def test_resuming_moves_each_due_date_on_by_the_pause(referred, fire, erin, alice):
    referral = referral_for(referred, fire)
    due = referral.due_on
    hold(referred.opportunity, alice)
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        services.opportunity_resume(
            opportunity=referred.opportunity, actor=alice, reason="Survey received"
        )
        referral.refresh_from_db()
        assert referral.paused_on is None
        assert referral.due_on == due + timedelta(days=10)
        assert referrals_awaiting(erin) == [referral]
    kinds = [n.payload["what"] for n in notices(erin, Notification.Kind.REFERRAL_CLOSED)]
    assert sorted(kinds) == ["paused", "resumed"]
    assert list(referral.events.values_list("kind", flat=True)) == ["paused", "resumed"]
    decide(referral, erin)
    assert status_of(referral) == "approved"


def test_resume_is_refused_without_paused_decisions_or_a_reason(referred, opportunity, alice):
    with pytest.raises(services.WorkflowError, match="no decisions on hold"):
        services.opportunity_resume(opportunity=referred.opportunity, actor=alice, reason="Go")
    hold(referred.opportunity, alice)
    with pytest.raises(services.WorkflowError, match="Give the reason"):
        services.opportunity_resume(opportunity=referred.opportunity, actor=alice, reason=" ")


# --- withdrawn and closed ------------------------------------------------------------------------


def test_withdrawing_closes_the_referrals_with_the_reason_and_tells_the_executives(
    referred, police, fire, pat, erin, alice
):
    decide(referral_for(referred, police), pat, "approved")
    opportunity = referred.opportunity
    opportunity.refresh_from_db()
    revisit = timezone.localdate() + timedelta(days=365)
    services.opportunity_transition(
        opportunity=opportunity,
        actor=alice,
        to=Status.WITHDRAWN,
        reason="The lease fell through",
        revisit_on=revisit,
    )
    referral = referral_for(referred, fire)
    assert status_of(referral) == "withdrawn"
    assert referral.closed_reason == "The lease fell through"
    assert status_of(referral_for(referred, police)) == "approved"  # decided ones stay
    opportunity.refresh_from_db()
    assert (opportunity.not_pursued_reason, opportunity.revisit_on) == (
        "The lease fell through",
        revisit,
    )
    assert opportunity.not_pursued_on == timezone.localdate()
    told = notices(erin, Notification.Kind.REFERRAL_CLOSED)
    assert [n.payload["reason"] for n in told] == ["The lease fell through"]
    assert not notices(pat, Notification.Kind.REFERRAL_CLOSED)  # nothing left open for Police
    with pytest.raises(services.ReferralNotDecidable, match="withdrawn"):
        decide(referral, erin)


def test_withdrawing_a_held_opportunity_closes_its_paused_referrals(referred, fire, alice):
    hold(referred.opportunity, alice)
    opportunity = Opportunity.objects.get(pk=referred.opportunity.pk)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.WITHDRAWN, reason="Not viable"
    )
    referral = referral_for(referred, fire)
    assert status_of(referral) == "withdrawn" and referral.paused_on is None


def test_closing_without_delivery_needs_a_reason_and_closing_after_delivery_does_not(
    opportunity, alice
):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.NOT_APPROVED)
    opportunity.refresh_from_db()
    with pytest.raises(services.WorkflowError, match="Give the reason"):
        services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.CLOSED)
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.IMPLEMENTED)
    opportunity.refresh_from_db()
    services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.CLOSED)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.CLOSED and opportunity.not_pursued_on is None


# --- the pages ------------------------------------------------------------------------------------


def transition_url(opportunity):
    return reverse("opportunity_transition", kwargs={"pk": opportunity.pk})


def resume_url(opportunity):
    return reverse("opportunity_resume", kwargs={"pk": opportunity.pk})


def test_secretariat_puts_on_hold_and_resumes_from_the_opportunity_page(client_of, referred, alice):
    opportunity = referred.opportunity
    client = client_of(alice)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'value="on_hold"' in page and 'value="withdrawn"' in page
    client.post(transition_url(opportunity), {"to": "on_hold", "reason": "Survey"})
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Resume the decisions" in page
    response = client.post(resume_url(opportunity), {"reason": "Survey received"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == Status.AWAITING_DECISIONS


def test_withdrawing_from_the_page_without_a_reason_is_refused_with_a_message(
    client_of, referred, alice
):
    opportunity = referred.opportunity
    response = client_of(alice).post(
        transition_url(opportunity), {"to": "withdrawn", "reason": ""}, follow=True
    )
    assert "Give the reason for moving it to “withdrawn”" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.status == Status.AWAITING_DECISIONS


def test_resume_without_a_reason_from_the_page_changes_nothing(client_of, referred, alice):
    hold(referred.opportunity, alice)
    response = client_of(alice).post(resume_url(referred.opportunity), {"reason": ""}, follow=True)
    assert "Give the reason for resuming" in response.content.decode()
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.ON_HOLD


def test_resume_is_refused_to_a_member_an_executive_another_board_and_anonymous(
    client, client_of, referred, alice, bob, erin, charlie
):
    hold(referred.opportunity, alice)
    url = resume_url(referred.opportunity)
    assert client_of(bob).post(url, {"reason": "Go"}).status_code == 403
    assert client_of(erin).post(url, {"reason": "Go"}).status_code == 403
    assert client_of(charlie).post(url, {"reason": "Go"}).status_code == 404
    client.logout()
    assert client.post(url, {"reason": "Go"})["Location"].startswith("/sign-in/")
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.ON_HOLD


def test_a_revised_recommendation_closes_the_open_referrals_as_superseded_with_the_reason(
    referred, record, police, fire, council, pat, erin
):
    decide(referral_for(referred, police), pat, "approved")
    opportunity = Opportunity.objects.get(pk=referred.opportunity.pk)
    record(opportunity, [police, fire, council], wording="Do it, revised.")
    referral = referral_for(referred, fire)
    assert status_of(referral) == "superseded"
    assert "replaced by a revised recommendation" in referral.closed_reason
    assert referral.events.get().outcome == "superseded"
    assert status_of(referral_for(referred, police)) == "approved"
    told = list(notices(erin, Notification.Kind.REFERRAL_CLOSED))
    assert len(told) == 1 and "no decision on it is needed" in told[0].subject


def test_inbox_queries_stay_flat_with_paused_and_closed_referrals_beside_open_ones(
    client_of, erin, alice, make_opportunity, record, fire, django_assert_max_num_queries
):
    client = client_of(erin)
    client.get(reverse("referral_inbox"))

    def add(count):
        for index in range(count):
            for fate in ("open", "held", "withdrawn"):
                opportunity = make_opportunity(title=f"{fate} {index}")
                Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
                opportunity.refresh_from_db()
                services.recommendation_send(
                    recommendation=record(opportunity, [fire]), actor=alice
                )
                opportunity.refresh_from_db()
                if fate != "open":
                    to = Status.ON_HOLD if fate == "held" else Status.WITHDRAWN
                    services.opportunity_transition(
                        opportunity=opportunity, actor=alice, to=to, reason="Board's choice"
                    )

    add(1)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("referral_inbox"))
    add(6)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("referral_inbox"))
    titles = [r.recommendation.opportunity.title for r in response.context["awaiting"]]
    assert len(titles) == response.context["page"].paginator.count == 7  # only the open ones
    assert all(title.startswith("open ") for title in titles)
    assert len(large.captured_queries) == len(small.captured_queries)

"""Two executives of the same body deciding at the same moment: one decision is recorded."""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import Opportunity, Referral
from tests.factories import AuthorityFactory, UserFactory
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*work, timeout=15):
    """Run each callable in its own thread (its own database connection) and wait for all."""

    def on_own_connection(function):
        def run():
            try:
                function()
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=on_own_connection(function)) for function in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


def decide_as(person, referral, *, outcome="approved", reference="A", seen_revision=0):
    """Decide as a person would from the page: "recorded", or the sentence of the refusal."""
    try:
        services.referral_decide(
            referral=Referral.objects.get(pk=referral.pk),
            actor=person,
            outcome=outcome,
            reference=reference,
            notes="",
            seen_revision=seen_revision,
        )
    except services.ReferralNotDecidable as refusal:
        return str(refusal)
    return "recorded"


def decisions_recorded(opportunity) -> int:
    return AuditEvent.objects.for_subject(opportunity).filter(verb="decision").count()


def test_two_executives_deciding_at_once_record_exactly_one_decision(referred, fire, erin):
    second = UserFactory(full_name="Frank Ford", email="frank@fire.example", organisation=fire)
    AuthorityFactory(person=second, organisation=fire)
    referral = referral_for(referred, fire)
    seen = referral.revision
    first_has_written = threading.Event()
    results: dict[str, str] = {}

    def first():
        with transaction.atomic():
            results["erin"] = decide_as(erin, referral, seen_revision=seen)
            first_has_written.set()
            # Hold the transaction open while the second executive submits.
            threading.Event().wait(0.5)

    def second_executive():
        first_has_written.wait(5)
        results["frank"] = decide_as(
            second, referral, outcome="declined", reference="B", seen_revision=seen
        )

    run_together(first, second_executive)

    assert results["erin"] == "recorded"
    assert "already decided by Erin Evans" in results["frank"]
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by) == (Referral.Status.APPROVED, erin)
    assert decisions_recorded(referred.opportunity) == 1


def test_many_simultaneous_submissions_record_one_decision(referred, fire):
    people = []
    for index in range(4):
        person = UserFactory(email=f"exec{index}@fire.example", organisation=fire)
        AuthorityFactory(person=person, organisation=fire)
        people.append(person)
    referral = referral_for(referred, fire)
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def submit(person):
        def go():
            barrier.wait(5)
            result = decide_as(person, referral, reference=person.email)
            outcomes.append("recorded" if result == "recorded" else "refused")

        return go

    run_together(*(submit(person) for person in people), timeout=10)
    assert sorted(outcomes) == ["recorded", "refused", "refused", "refused"]
    assert decisions_recorded(referred.opportunity) == 1


def test_a_revision_and_a_decision_at_once_wait_for_each_other_without_deadlock(
    referred, record, fire, erin, police, council
):
    opportunity = referred.opportunity
    referral = referral_for(referred, fire)
    revising = threading.Event()
    results: dict[str, str] = {}

    def revise():
        try:
            with transaction.atomic():
                Opportunity.objects.select_for_update().get(pk=opportunity.pk)
                revising.set()
                threading.Event().wait(0.5)  # the decision arrives meanwhile
                record(Opportunity.objects.get(pk=opportunity.pk), [police, fire, council])
            results["revise"] = "recorded"
        except Exception as error:  # the test reports whatever went wrong
            results["revise"] = repr(error)

    def decide_now():
        revising.wait(5)
        try:
            results["decide"] = decide_as(erin, referral, seen_revision=referral.revision)
        except Exception as error:  # a deadlock would surface here
            results["decide"] = repr(error)

    run_together(revise, decide_now)
    assert results["revise"] == "recorded"
    # The decision waited for the revision, then was told the recommendation was replaced.
    assert "revised recommendation has replaced" in results["decide"]

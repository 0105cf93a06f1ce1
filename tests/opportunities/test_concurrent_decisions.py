"""Two executives of the same body deciding at the same moment: one decision is recorded."""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from opportunities import services
from opportunities.models import Referral
from tests.factories import AuthorityFactory, UserFactory
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_executives_deciding_at_once_record_exactly_one_decision(referred, fire, erin):
    second = UserFactory(full_name="Frank Ford", email="frank@fire.example", organisation=fire)
    AuthorityFactory(person=second, organisation=fire)
    referral = referral_for(referred, fire)
    seen = referral.revision
    first_has_written = threading.Event()
    results: dict[str, str] = {}

    def first():
        try:
            with transaction.atomic():
                services.referral_decide(
                    referral=Referral.objects.get(pk=referral.pk),
                    actor=erin,
                    outcome="approved",
                    reference="A",
                    notes="",
                    seen_revision=seen,
                )
                first_has_written.set()
                # Hold the transaction open while the second executive submits.
                threading.Event().wait(0.5)
            results["erin"] = "recorded"
        finally:
            connection.close()

    def second_executive():
        try:
            first_has_written.wait(5)
            services.referral_decide(
                referral=Referral.objects.get(pk=referral.pk),
                actor=second,
                outcome="declined",
                reference="B",
                notes="",
                seen_revision=seen,
            )
            results["frank"] = "recorded"
        except services.ReferralNotDecidable as error:
            results["frank"] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second_executive)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["erin"] == "recorded"
    assert "already decided by Erin Evans" in results["frank"]
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by) == (Referral.Status.APPROVED, erin)
    decisions = AuditEvent.objects.for_subject(referred.opportunity).filter(verb="decision")
    assert decisions.count() == 1


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
        try:
            barrier.wait(5)
            services.referral_decide(
                referral=Referral.objects.get(pk=referral.pk),
                actor=person,
                outcome="approved",
                reference=person.email,
                notes="",
                seen_revision=0,
            )
            outcomes.append("recorded")
        except services.ReferralNotDecidable:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["recorded", "refused", "refused", "refused"]
    assert AuditEvent.objects.for_subject(referred.opportunity).filter(verb="decision").count() == 1


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
                from opportunities.models import Opportunity

                Opportunity.objects.select_for_update().get(pk=opportunity.pk)
                revising.set()
                threading.Event().wait(0.5)  # the decision arrives meanwhile
                record(Opportunity.objects.get(pk=opportunity.pk), [police, fire, council])
            results["revise"] = "recorded"
        except Exception as error:  # the test reports whatever went wrong
            results["revise"] = repr(error)
        finally:
            connection.close()

    def decide_now():
        try:
            revising.wait(5)
            services.referral_decide(
                referral=Referral.objects.get(pk=referral.pk),
                actor=erin,
                outcome="approved",
                reference="A",
                notes="",
                seen_revision=referral.revision,
            )
            results["decide"] = "recorded"
        except services.ReferralNotDecidable as refusal:
            results["decide"] = str(refusal)
        except Exception as error:
            results["decide"] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=revise), threading.Thread(target=decide_now)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert results["revise"] == "recorded"
    # The decision waited for the revision, then was told the recommendation was replaced.
    assert "revised recommendation has replaced" in results["decide"]

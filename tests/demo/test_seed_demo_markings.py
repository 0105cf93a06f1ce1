"""The demo shows handling markings: marked papers (one OFFICIAL-SENSITIVE COMMERCIAL), marked
decision documents and notices, and a body (the Police) whose sensitive decision documents stay
within it."""

import pytest
from django.core.management import call_command

from boards.models import Organisation
from core.markings import Descriptor, Level
from meetings.models import Paper
from opportunities.models import DecisionNotice, ReferralDocument

pytestmark = pytest.mark.django_db


def test_the_demo_has_marked_papers_decision_documents_and_a_body_that_keeps_them():
    call_command("seed_demo")
    pricing = Paper.objects.get(title="Control room supplier pricing (confidential)")
    assert pricing.handling.text == "OFFICIAL-SENSITIVE COMMERCIAL"
    assert pricing.current_version is not None
    assert pricing.current_version.marking_descriptors == {Descriptor.COMMERCIAL}
    assert Paper.objects.filter(marking=Level.OFFICIAL).exists()
    police = Organisation.objects.get(short_name="Police")
    assert not police.shares_sensitive_decisions
    assert Organisation.objects.filter(shares_sensitive_decisions=True).exists()
    police_documents = ReferralDocument.objects.filter(referral__organisation=police)
    assert police_documents.exists()
    assert all(document.is_sensitive for document in police_documents)
    assert (
        ReferralDocument.objects.exclude(referral__organisation=police)
        .filter(marking=Level.OFFICIAL)
        .exists()
    )
    assert DecisionNotice.objects.filter(
        referral__organisation=police, marking=Level.OFFICIAL_SENSITIVE
    ).exists()

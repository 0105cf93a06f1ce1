"""The annual report goes to every reader of the board: a body's reasons for declining are in
it only when its decision is not OFFICIAL-SENSITIVE (the rule of the body's sensitive decision
notes)."""

import pytest
from django.utils import timezone

from core.markings import OFFICIAL, Descriptor, Level, Marking
from reports.collaboration import not_pursued_in_period
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("marking", "shown"),
    [(OFFICIAL, True), (Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL), False)],
)
def test_a_declining_bodys_reasons_follow_its_decisions_marking(
    referred, police, fire, council, erin, pat, cara, marking, shown
):
    decide(referral_for(referred, police), pat)
    decide(referral_for(referred, council), cara)
    decide(
        referral_for(referred, fire),
        erin,
        outcome="declined",
        notes="Quokka budget is spent.",
        marking=marking,
    )
    today = timezone.localdate()
    (entry,) = not_pursued_in_period(referred.opportunity.board, today, today)
    assert f"Declined by {fire.name}" in entry.reason
    assert ("Quokka budget is spent." in entry.reason) == shown

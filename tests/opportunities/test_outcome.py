"""The outcome of a recommendation, derived from its referrals, for every mix of decisions."""

import itertools
from types import SimpleNamespace

import pytest

from opportunities.models import Outcome, Recommendation, Referral

S = Referral.Status
LIVE = [S.PENDING, S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.DECLINED, S.DEFERRED]


def expected(statuses) -> str:
    if S.DECLINED in statuses:
        return Outcome.NOT_APPROVED
    if all(status in (S.APPROVED, S.APPROVED_WITH_CONDITIONS) for status in statuses):
        return Outcome.APPROVED
    return Outcome.AWAITING


MIXES = [mix for size in (1, 2, 3) for mix in itertools.product(LIVE, repeat=size)]


@pytest.mark.parametrize("statuses", MIXES, ids=lambda mix: "+".join(mix))
def test_outcome_for_every_mix_of_decisions(statuses):
    referrals = [SimpleNamespace(status=status) for status in statuses]
    assert Recommendation().outcome_of(referrals) == expected(statuses)


def test_the_rules_in_words():
    outcome = Recommendation().outcome_of

    def of(*statuses):
        return outcome([SimpleNamespace(status=s) for s in statuses])

    assert of(S.APPROVED, S.APPROVED_WITH_CONDITIONS) == Outcome.APPROVED
    assert of(S.APPROVED, S.DECLINED, S.PENDING) == Outcome.NOT_APPROVED
    assert of(S.APPROVED, S.DEFERRED) == Outcome.AWAITING
    assert of(S.APPROVED, S.PENDING) == Outcome.AWAITING
    assert of() == Outcome.AWAITING

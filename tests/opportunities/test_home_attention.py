from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Referral
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def test_executive_sees_referrals_awaiting_their_body(client_of, erin, referred, fire):
    body = client_of(erin).get(reverse("home")).content.decode()
    assert "Recommendations awaiting your body" in body
    assert referral_for(referred, fire).get_absolute_url() in body


def test_a_decided_referral_no_longer_needs_attention(client_of, erin, referred, fire):
    decide(referral_for(referred, fire), erin)
    body = client_of(erin).get(reverse("home")).content.decode()
    assert "Nothing needs your attention right now." in body


def test_secretariat_sees_overdue_decisions(client_of, alice, referred, fire):
    Referral.objects.filter(pk=referral_for(referred, fire).pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    body = client_of(alice).get(reverse("home")).content.decode()
    assert "Overdue decisions" in body
    assert "WFRS" in body


def test_member_sees_neither(client_of, bob, referred, fire):
    Referral.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    body = client_of(bob).get(reverse("home")).content.decode()
    assert "Overdue decisions" not in body
    assert "awaiting your body" not in body

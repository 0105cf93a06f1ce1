"""The demo shows the meetings' formal record: an exempt item with its Schedule 12A paragraph,
a register of interests, a recorded vote and an action carried forward as a matter arising."""

import pytest
from django.core.management import call_command

from demo.boards import BOARD_SLUG
from meetings.models import (
    Action,
    AgendaItem,
    DeclarationOfInterest,
    Meeting,
    RegisteredInterest,
    Resolution,
)
from meetings.selectors import matters_arising

pytestmark = pytest.mark.django_db


def test_the_demo_holds_the_meetings_formal_record():
    call_command("seed_demo")
    exempt = AgendaItem.objects.filter(meeting__board__slug=BOARD_SLUG, confidential=True)
    assert exempt.exists()
    assert not exempt.filter(exempt_paragraph__isnull=True).exists()
    assert RegisteredInterest.objects.filter(reviewed_at__isnull=False).exists()
    declaration = DeclarationOfInterest.objects.get(disqualifying=True)
    assert declaration.register_entry is not None
    vote = Resolution.objects.get(method=Resolution.Method.RECORDED)
    assert vote.votes.count() == vote.votes_for + vote.votes_against + vote.abstentions > 0
    winter = Meeting.objects.get(title="Winter meeting")
    chair = winter.invitations.get(person__email__startswith="helen.marsh").person
    arising = list(matters_arising(chair, winter))
    assert any(action.progress for action in arising)
    assert all(action.status in Action.OPEN_STATES for action in arising)
    assert (
        AgendaItem.objects.exclude(minute_reference="")
        .filter(meeting__status=Meeting.Status.MINUTES_DRAFTED)
        .exists()
    )

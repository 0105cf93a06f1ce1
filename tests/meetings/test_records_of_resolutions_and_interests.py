"""What the board resolved, each recorded vote, a reviewed entry in the register of interests
and an admission to an exempt item are part of the record: the model, the queryset and the
cascade from a parent row refuse to delete them. An entry not yet reviewed, and an admission to
an item of a draft meeting, may still go; a withdrawn admission is kept, marked withdrawn."""

from datetime import date

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import (
    ExemptItemAdmission,
    Meeting,
    RegisteredInterest,
    Resolution,
    Vote,
)
from tests.deletion import refused
from tests.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolution(held, alice, bob, dave):
    item = held.items.get()
    resolution = Resolution.objects.create(
        agenda_item=item,
        wording="To share the estates team.",
        method=Resolution.Method.RECORDED,
        votes_for=2,
        votes_against=1,
        outcome=Resolution.Outcome.CARRIED,
        put_by=dave,
        recorded_by=alice,
    )
    for person, choice in ((alice, "for"), (dave, "for"), (bob, "against")):
        Vote.objects.create(resolution=resolution, person=person, choice=choice)
    return resolution


def test_a_resolution_and_its_votes_cannot_be_deleted(resolution):
    with refused("record a further resolution to amend or rescind it"):
        resolution.delete()
    with refused():
        Resolution.objects.filter(pk=resolution.pk).delete()
    with refused("recorded vote is part of the meeting's record"):
        resolution.votes.first().delete()
    with refused("recorded vote"):
        Vote.objects.filter(resolution=resolution).delete()
    assert Resolution.objects.count() == 1 and Vote.objects.count() == 3


def entry_of(person, **fields):
    return RegisteredInterest.objects.create(
        person=person,
        category=RegisteredInterest.Category.EMPLOYMENT,
        description="Director, Warwick Estates Ltd",
        starts_on=date(2026, 1, 1),
        **fields,
    )


def test_an_entry_not_yet_reviewed_may_be_deleted(bob):
    entry = entry_of(bob)
    entry.delete()
    assert not RegisteredInterest.objects.exists()


def test_a_reviewed_entry_is_ended_not_deleted(bob, alice):
    entry = services.interest_review(entry=entry_of(bob), actor=alice)
    with refused("give it an end date instead"):
        entry.delete()
    with refused("register of interests"):
        RegisteredInterest.objects.filter(person=bob).delete()
    with refused("register of interests"):
        bob.delete()  # nor by the cascade from the person
    assert RegisteredInterest.objects.get().reviewed_by == alice


def test_an_admission_is_withdrawn_not_deleted(published, exempt, alice, erin):
    admission = services.exempt_admission_add(item=exempt, person=erin, actor=alice)
    with refused("withdraw it instead"):
        admission.delete()
    with refused("withdraw it instead"):
        ExemptItemAdmission.objects.all().delete()
    services.exempt_admission_remove(admission=admission, actor=alice)
    admission.refresh_from_db()
    assert admission.revoked_by == alice
    assert admission.revoked_at <= timezone.now()
    assert not ExemptItemAdmission.objects.in_force().exists()


def test_an_item_with_admissions_is_not_removed_from_a_scheduled_agenda(meeting, alice, erin, dave):
    item = AgendaItemFactory(meeting=meeting, position=2, title="Pay talks", confidential=True)
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    ExemptItemAdmission.objects.create(agenda_item=item, person=erin, admitted_by=alice)
    with pytest.raises(services.MeetingRefused, match="People have been admitted to"):
        services.agenda_item_delete(item=item, actor=alice)
    assert ExemptItemAdmission.objects.count() == 1 and meeting.items.count() == 2


def test_a_draft_meeting_goes_with_its_admissions(meeting, alice, erin):
    item = AgendaItemFactory(meeting=meeting, position=2, title="Pay talks", confidential=True)
    ExemptItemAdmission.objects.create(agenda_item=item, person=erin, admitted_by=alice)
    meeting.delete()
    assert not ExemptItemAdmission.objects.exists()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()

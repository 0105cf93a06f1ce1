"""A change to a signed-off agenda (a reorder, an item added, changed or removed) withdraws the
chair's sign-off, and the chair who gave it and the board's chair and vice-chair are told, once
per sign-off."""

import pytest
from django.core import mail
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Meeting
from notifications.models import Notification
from tests.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db
KIND = Notification.Kind.SIGN_OFF_WITHDRAWN


@pytest.fixture
def signed_off(meeting, dave):
    """The draft meeting with two items, signed off by dave, the chair."""
    AgendaItemFactory(meeting=meeting, title="Fleet sharing", position=2)
    meeting_services.agenda_sign_off(meeting=meeting, actor=dave)
    return Meeting.objects.get(pk=meeting.pk)


def notices():
    return Notification.objects.filter(kind=KIND)


def test_a_reorder_by_the_secretariat_tells_the_chair_by_e_mail(
    client_of, alice, dave, signed_off, django_capture_on_commit_callbacks
):
    second = signed_off.items.get(title="Fleet sharing")
    url = reverse("agenda_item_move", args=[signed_off.pk, second.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(url, {"direction": "up"})
    signed_off.refresh_from_db()
    assert signed_off.agenda_signed_off_at is None
    (notice,) = notices()
    assert notice.recipient == dave
    assert notice.payload["why"] == "the agenda was reordered"
    (email,) = [m for m in mail.outbox if m.to == [dave.email]]
    assert "Agenda sign-off withdrawn" in email.subject
    assert "the agenda was reordered" in email.body


def test_a_second_change_before_a_new_sign_off_tells_nobody_again(signed_off, alice):
    meeting_services.agenda_move(meeting=signed_off, item=signed_off.items.last(), direction="up")
    meeting_services.agenda_move(meeting=signed_off, item=signed_off.items.last(), direction="up")
    assert notices().count() == 1


def test_each_new_sign_off_withdrawn_is_told_again(signed_off, dave):
    meeting_services.agenda_move(meeting=signed_off, item=signed_off.items.last(), direction="up")
    meeting_services.agenda_sign_off(meeting=signed_off, actor=dave)
    meeting_services.agenda_move(meeting=signed_off, item=signed_off.items.last(), direction="up")
    assert notices().count() == 2


def test_an_item_added_says_so(signed_off, alice):
    item = AgendaItemFactory.build(meeting=signed_off, title="Estates update")
    meeting_services.agenda_item_save(item=item, actor=alice)
    (notice,) = notices()
    assert notice.payload["why"] == "item “Estates update” was added"


def test_an_item_removed_says_so(signed_off, alice):
    meeting_services.agenda_item_delete(item=signed_off.items.last(), actor=alice)
    (notice,) = notices()
    assert notice.payload["why"] == "item “Fleet sharing” was removed"


def test_no_notice_when_the_agenda_was_not_signed_off(meeting, alice):
    AgendaItemFactory(meeting=meeting, title="Fleet sharing", position=2)
    meeting_services.agenda_move(meeting=meeting, item=meeting.items.last(), direction="up")
    assert not notices().exists()


def test_only_the_chairs_are_told_not_the_members(signed_off, bob, alice):
    meeting_services.agenda_move(meeting=signed_off, item=signed_off.items.last(), direction="up")
    recipients = set(notices().values_list("recipient_id", flat=True))
    assert bob.pk not in recipients and alice.pk not in recipients

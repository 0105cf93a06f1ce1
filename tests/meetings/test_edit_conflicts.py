"""No lost updates in meetings: the meeting's details, an agenda item, an item's minutes and an
action's status, each opened on an older version, are refused with who changed what since;
nothing is overwritten, and a form opened on the current version saves."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings import services as meeting_services
from meetings.models import Action
from tests.factories import ActionFactory
from tests.meetings.helpers import opened, time_boxes

pytestmark = pytest.mark.django_db

REFUSED = "was changed by someone else after you opened this page"


def opened_version(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]["version"].value()


def meeting_data(meeting, **changes):
    data = {
        "title": meeting.title,
        **time_boxes("starts_at", meeting.starts_at.strftime("%Y-%m-%dT%H:%M")),
        **time_boxes("ends_at", meeting.ends_at.strftime("%Y-%m-%dT%H:%M")),
        "venue": meeting.venue,
        "online_link": meeting.online_link,
    }
    return {**data, **changes}


def test_a_stale_meeting_edit_is_refused_naming_the_newer_change(client_of, meeting, alice):
    url = reverse("meeting_edit", kwargs={"pk": meeting.pk})
    version = opened_version(client_of(alice), url)
    meeting_services.meeting_update(
        meeting=meeting,
        actor=alice,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        venue="Leek Wootton",
        online_link=meeting.online_link,
    )
    response = client_of(alice).post(
        url,
        {**meeting_data(meeting, title="Spring meeting", venue="Shire Hall"), "version": version},
    )
    body = response.content.decode()
    assert response.status_code == 200 and REFUSED in body
    assert "Alice Archer" in body and "venue from" in body and "“Leek Wootton”" in body
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("Winter meeting", "Leek Wootton")


def test_a_fresh_meeting_edit_saves_and_is_on_the_meetings_trail(client_of, meeting, alice):
    url = reverse("meeting_edit", kwargs={"pk": meeting.pk})
    response = client_of(alice).post(url, opened(meeting, meeting_data(meeting, title="Spring")))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Spring"
    event = AuditEvent.objects.for_subject(meeting).get(verb="meeting.changed")
    assert (event.actor, event.after) == (alice, {"title": "Spring"})


def test_a_stale_meeting_edit_is_refused_after_a_status_move(client_of, meeting, alice):
    url = reverse("meeting_edit", kwargs={"pk": meeting.pk})
    version = opened_version(client_of(alice), url)
    meeting_services.meeting_transition(meeting=meeting, actor=alice, to="scheduled")
    response = client_of(alice).post(url, {**meeting_data(meeting, title="X"), "version": version})
    body = response.content.decode()
    assert REFUSED in body and "Draft → Scheduled" in body
    meeting.refresh_from_db()
    assert (meeting.title, meeting.status) == ("Winter meeting", "scheduled")


def test_a_stale_agenda_item_edit_is_refused(client_of, meeting, alice):
    item = meeting.items.get()
    url = reverse("agenda_item_edit", kwargs={"pk": meeting.pk, "item": item.pk})
    version = opened_version(client_of(alice), url)
    item.presenter = "Chief Fire Officer"
    meeting_services.agenda_item_save(item=item, actor=alice)
    data = {"title": "Estates", "description": "", "presenter": "", "opportunity_reference": ""}
    response = client_of(alice).post(url, {**data, "version": version})
    body = response.content.decode()
    assert REFUSED in body and "presenter from “Chair” to “Chief Fire Officer”" in body
    item.refresh_from_db()
    assert (item.title, item.presenter) == ("Shared estates", "Chief Fire Officer")
    fresh = client_of(alice).post(url, opened(item, data))
    assert fresh.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.presenter) == ("Estates", "")


def test_stale_minutes_are_refused_and_the_newer_minutes_stay(client_of, held, alice):
    item = held.items.get()
    url = reverse("minutes_edit", kwargs={"pk": held.pk, "item": item.pk})
    version = opened_version(client_of(alice), url)
    meeting_services.minutes_save(item=item, text="Agreed to proceed.", actor=alice)
    response = client_of(alice).post(url, {"minutes": "Deferred.", "version": version})
    body = response.content.decode()
    assert response.status_code == 200 and REFUSED in body
    assert "minutes from nothing to “Agreed to proceed.”" in body
    item.refresh_from_db()
    assert item.minutes == "Agreed to proceed."
    assert client_of(alice).post(url, opened(item, {"minutes": "Deferred."})).status_code == 302
    item.refresh_from_db()
    assert item.minutes == "Deferred."


def test_a_stale_action_status_is_refused(client_of, held, alice, bob):
    action = ActionFactory(meeting=held, owner=bob, description="Cost the shared depot.")
    stale = action.edit_version
    meeting_services.action_set_status(action=action, status="done", actor=bob)
    url = reverse("action_status", kwargs={"pk": held.pk, "action": action.pk})
    response = client_of(alice).post(url, {"status": "in_progress", "version": stale}, follow=True)
    body = response.content.decode()
    assert REFUSED in body and "Bob" in body and "status from “Open” to “Done”" in body
    assert Action.objects.get(pk=action.pk).status == "done"
    client_of(alice).post(url, opened(action, {"status": "in_progress"}))
    assert Action.objects.get(pk=action.pk).status == "in_progress"

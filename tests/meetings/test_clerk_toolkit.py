"""The clerk's toolkit: replies recorded on an invitee's behalf, roles in every list, the
action log and matters arising, attendance statistics, and the smaller guards (owners are
current members, no papers on approved minutes, no reminder to the secretary)."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership
from meetings.models import Action, Meeting, MeetingInvitation
from meetings.reminders import meeting_reminders_send
from notifications.models import Notification
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

from .helpers import invite_board, opened

pytestmark = pytest.mark.django_db
Reply = MeetingInvitation.Reply


def record_url(meeting, person):
    invitation = meeting.invitations.get(person=person)
    return reverse("reply_record", kwargs={"pk": meeting.pk, "invitation": invitation.pk})


# --- Replies recorded by the clerk ---------------------------------------------------------------


def test_apologies_recorded_by_the_clerk_change_the_forecast(
    client_of, published, alice, bob, dave
):
    published.invitations.update(reply=Reply.ATTENDING)
    page = client_of(alice).get(published.get_absolute_url()).content.decode()
    assert "Will be quorate" in page
    response = client_of(alice).post(record_url(published, bob), {"reply": "apologies"})
    assert response.status_code == 302
    invitation = published.invitations.get(person=bob)
    assert (invitation.reply, invitation.reply_recorded_by) == (Reply.APOLOGIES, alice)
    page = client_of(alice).get(published.get_absolute_url()).content.decode()
    # Bob was the only Fire member: only the Police will be represented now.
    assert "Not yet quorate: 1 member body will be represented (Police)" in re.sub(
        r"</?abbr[^>]*>", "", page
    )
    assert "recorded by Alice Archer" in page


def test_a_substitute_is_recorded_with_a_name(client_of, published, alice, bob):
    url = record_url(published, bob)
    response = client_of(alice).post(url, {"reply": "substitute", "substitute_name": " "})
    assert response.status_code == 200
    assert "Name the person you are sending in your place." in response.content.decode()
    client_of(alice).post(url, {"reply": "substitute", "substitute_name": "Stn Cdr Jo Hale"})
    invitation = published.invitations.get(person=bob)
    assert (invitation.reply, invitation.substitute_name) == (Reply.SUBSTITUTE, "Stn Cdr Jo Hale")
    page = client_of(bob).get(published.get_absolute_url()).content.decode()
    assert "Stn Cdr Jo Hale" in page


def test_the_invitees_own_reply_clears_recorded_by(client_of, published, alice, bob):
    client_of(alice).post(record_url(published, bob), {"reply": "apologies"})
    client_of(bob).post(reverse("invitation_reply", args=[published.pk]), {"reply": "attending"})
    invitation = published.invitations.get(person=bob)
    assert (invitation.reply, invitation.reply_recorded_by) == (Reply.ATTENDING, None)


def test_replies_are_recorded_only_before_the_meeting_is_held(client_of, held, alice, bob):
    response = client_of(alice).post(record_url(held, bob), {"reply": "apologies"})
    assert response.status_code == 302
    assert held.invitations.get(person=bob).reply != Reply.APOLOGIES


def test_only_the_secretariat_records_a_reply(
    client, client_of, published, alice, bob, dave, charlie
):
    url = record_url(published, bob)
    assert client_of(alice).get(url).status_code == 200
    assert client_of(dave).post(url, {"reply": "apologies"}).status_code == 403
    assert client_of(bob).get(url).status_code == 403
    assert client_of(charlie).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert published.invitations.get(person=bob).reply_recorded_by is None


# --- Roles in the lists ------------------------------------------------------------------------


def test_roles_are_shown_in_the_invitee_list(client_of, published, board, police, alice):
    observer = UserFactory(full_name="Olly Observer", organisation=police)
    MembershipFactory(
        person=observer, board=board, organisation=police, role=BoardMembership.Role.OBSERVER
    )
    invite_board(published, observer)
    page = client_of(alice).get(published.get_absolute_url()).content.decode()
    body = f'<abbr title="{police.name}">{police.short_name}</abbr>'
    # The body is written out in full where the page first names it, abbreviated after.
    assert page.count(f"{police.name} ({body})") == 1
    for role in ("observer", "chair", "secretariat"):
        assert f"{body}, {role}" in page or f"{body}), {role}" in page
    assert "Guest" in page


# --- The action log and matters arising -----------------------------------------------------------


def test_open_actions_are_carried_forward_as_matters_arising(client_of, held, board, alice, bob):
    ActionFactory(meeting=held, owner=bob, description="Draft the estates review")
    ActionFactory(meeting=held, owner=bob, description="Book the room", status=Action.Status.DONE)
    nxt = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
    invite_board(nxt, alice, bob)
    page = client_of(bob).get(nxt.get_absolute_url()).content.decode()
    assert "Matters arising" in page
    assert "Draft the estates review" in page
    assert "Book the room" not in page
    log = client_of(bob).get(reverse("action_log", args=[board.slug])).content.decode()
    assert "Draft the estates review" in log and "Book the room" not in log


def test_the_action_log_and_the_meeting_page_write_dates_out_in_full(
    client_of, held, board, alice, bob
):
    ActionFactory(meeting=held, owner=bob, due_on=date(2031, 1, 31))
    log = client_of(bob).get(reverse("action_log", args=[board.slug])).content.decode()
    meeting_day = timezone.localtime(held.starts_at).date()
    for page in (log, client_of(alice).get(held.get_absolute_url()).content.decode()):
        assert "31 January 2031" in page and "31 Jan 2031" not in page
        assert f"{meeting_day.day} {meeting_day:%B %Y}" in page


def test_a_progress_note_is_kept_with_the_action(client_of, held, bob):
    action = ActionFactory(meeting=held, owner=bob)
    client_of(bob).post(
        reverse("action_status", args=[held.pk, action.pk]),
        opened(action, {"status": "in_progress", "progress": "Draft with the Chief Fire Officer."}),
    )
    action.refresh_from_db()
    assert (action.status, action.progress) == ("in_progress", "Draft with the Chief Fire Officer.")


def test_the_action_log_is_the_boards_only(client, client_of, board, held, bob, charlie, erin):
    url = reverse("action_log", args=[board.slug])
    assert client_of(bob).get(url).status_code == 200
    assert client_of(charlie).get(url).status_code == 404
    assert client_of(erin).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_action_log_costs_the_same_queries_at_two_sizes(client_of, board, held, bob):
    client = client_of(bob)
    url = reverse("action_log", args=[board.slug])
    client.get(url)
    ActionFactory.create_batch(2, meeting=held, owner=bob)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    ActionFactory.create_batch(15, meeting=held, owner=UserFactory())
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


# --- Attendance statistics ---------------------------------------------------------------------


def test_attendance_statistics_count_each_person_and_body(client_of, held, board, alice, bob, dave):
    Attendance = MeetingInvitation.Attendance
    held.invitations.filter(person=dave).update(attendance=Attendance.PRESENT)
    held.invitations.filter(person=bob).update(attendance=Attendance.APOLOGIES)
    year = timezone.localtime(held.starts_at).year
    response = client_of(alice).get(
        reverse("attendance_statistics", args=[board.slug]), {"year": year}
    )
    assert response.status_code == 200
    context = response.context
    assert context["held"] == 1
    assert context["bodies"] == [("Police", 1)]
    rows = {row.name: row for row in context["people"]}
    assert (rows["Dave Dunn"].present, rows["Bob Baker"].apologies) == (1, 1)


def test_attendance_statistics_are_for_the_secretariat_and_the_chair(
    client, client_of, board, alice, bob, dave, charlie
):
    url = reverse("attendance_statistics", args=[board.slug])
    assert client_of(alice).get(url).status_code == 200
    assert client_of(dave).get(url).status_code == 200
    assert client_of(bob).get(url).status_code == 403
    assert client_of(charlie).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_bad_year_is_a_sentence_not_an_error(client_of, board, alice):
    url = reverse("attendance_statistics", args=[board.slug])
    response = client_of(alice).get(url, {"year": "last year"})
    assert response.status_code == 400
    assert "Give the year as four digits" in response.content.decode()


def test_attendance_statistics_cost_the_same_queries_at_two_sizes(
    client_of, board, alice, bob, dave
):
    def add_meetings(count):
        for _ in range(count):
            meeting = MeetingFactory(
                board=board,
                created_by=alice,
                status=Meeting.Status.HELD,
                starts_at=timezone.now() - timedelta(days=1),
            )
            invite_board(meeting, alice, bob, dave, guests=[UserFactory()])

    client = client_of(alice)
    url = reverse("attendance_statistics", args=[board.slug])
    client.get(url)
    add_meetings(1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_meetings(6)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


# --- Smaller guards --------------------------------------------------------------------------


def test_the_action_owner_list_offers_only_current_members_and_invitees(
    client_of, held, board, fire, alice, bob
):
    former = UserFactory(full_name="Fay Former", organisation=fire)
    MembershipFactory(person=former, board=board, organisation=fire, ends_on=date(2020, 1, 1))
    future = UserFactory(full_name="Fred Future", organisation=fire)
    MembershipFactory(
        person=future,
        board=board,
        organisation=fire,
        starts_on=timezone.localdate() + timedelta(days=30),
    )
    owners = client_of(alice).get(reverse("action_add", args=[held.pk])).context["form"]
    offered = set(owners.fields["owner"].queryset)
    assert bob in offered
    assert former not in offered and future not in offered


def test_the_upload_form_is_refused_on_approved_minutes(client_of, held, alice):
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    response = client_of(alice).get(reverse("paper_upload", args=[held.pk]))
    assert response.status_code == 302
    page = client_of(alice).get(held.get_absolute_url()).content.decode()
    assert "Papers can no longer be added to this meeting." in page


def test_the_secretary_is_not_reminded_to_reply_to_her_own_meeting(board, alice, bob):
    start = timezone.now() + timedelta(days=5)
    meeting = MeetingFactory(
        board=board,
        created_by=alice,
        status=Meeting.Status.SCHEDULED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    invite_board(meeting, alice, bob)
    meeting_reminders_send()
    reminded = set(
        Notification.objects.filter(kind=Notification.Kind.REPLY_OWED).values_list(
            "recipient", flat=True
        )
    )
    assert reminded == {bob.pk}

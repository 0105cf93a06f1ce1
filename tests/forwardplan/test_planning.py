"""The secretariat's pages: forums, their dates and planning each referral."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.concurrency import version_token
from core.deletion import DeletionRefused
from forwardplan import services
from forwardplan.models import DecisionForum, ForumMeeting, PlanEntry
from meetings.models import ExemptParagraph

SLUG = "warwickshire"


def _day(days):
    return timezone.localdate() + timedelta(days=days)


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_the_secretariat_adds_a_forum_for_a_member_body(client_of, alice, council):
    response = client_of(alice).post(
        reverse("forum_add", args=[SLUG]),
        {
            "organisation": council.pk,
            "name": "Cabinet",
            "decision_maker": "The Leader",
            "notice_days": 28,
            "calendar_url": "https://democracy.example.gov.uk/cabinet.ics",
            "version": "none",
        },
    )
    forum = DecisionForum.objects.get()
    assert response.status_code == 302
    assert (forum.organisation, forum.name) == (council, "Cabinet")
    assert AuditEvent.objects.filter(verb="forum.added").exists()


def test_a_forum_form_with_bad_values_says_what_is_wrong(client_of, alice, outsider_org):
    response = client_of(alice).post(
        reverse("forum_add", args=[SLUG]),
        {
            "organisation": outsider_org.pk,
            "name": "",
            "decision_maker": "x",
            "notice_days": 999,
            "calendar_url": "ftp://example.org/x.ics",
            "version": "none",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There are problems with what you entered" in page
    assert "Select a valid choice" in page
    assert "at most 365 days" in page
    assert not DecisionForum.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/calendar.ics",
        "http://169.254.169.254/latest/meta-data/",
        "https://calendar.internal.example.org/cabinet.ics",
    ],
)
def test_a_calendar_address_inside_a_private_network_is_refused_in_the_page(
    client_of, alice, council, resolver, url
):
    resolver.answer("calendar.internal.example.org", ["10.1.1.1"])
    response = client_of(alice).post(
        reverse("forum_add", args=[SLUG]),
        {
            "organisation": council.pk,
            "name": "Cabinet",
            "decision_maker": "The Leader",
            "notice_days": 28,
            "calendar_url": url,
            "version": "none",
        },
    )
    assert response.status_code == 200
    assert "Enter a web address on the public internet" in response.content.decode()
    assert not DecisionForum.objects.exists()


def test_a_stale_forum_form_is_refused(client_of, alice, police_forum):
    response = client_of(alice).post(
        reverse("forum_edit", args=[SLUG, police_forum.pk]),
        {
            "name": "Renamed",
            "decision_maker": "x",
            "notice_days": 10,
            "calendar_url": "",
            "version": "2001-01-01T00:00:00+00:00",
        },
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    police_forum.refresh_from_db()
    assert police_forum.name != "Renamed"


def test_the_secretariat_adds_and_moves_a_meeting(client_of, alice, police_forum):
    client = client_of(alice)
    client.post(
        reverse("forum_date_add", args=[SLUG, police_forum.pk]),
        {**_date("date", _day(20)), "time": "10:00", "location": "Leek Wootton", "version": "none"},
    )
    meeting = police_forum.meetings.get()
    assert (meeting.date, meeting.time.hour) == (_day(20), 10)
    client.post(
        reverse("forum_date_edit", args=[SLUG, police_forum.pk, meeting.pk]),
        {**_date("date", _day(27)), "time": "", "version": version_token(meeting.updated_at)},
    )
    meeting.refresh_from_db()
    assert (meeting.date, meeting.moved_from) == (_day(27), _day(20))
    assert police_forum.changes.get().kind == "moved"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"date_day": "31", "date_month": "2", "date_year": "2027"}, "must be a real date"),
        ({**_date("date", _day(3).replace(year=1999))}, "between 2000 and 2100"),
        ({**_date("date", _day(3)), "time": "25:99"}, "Enter a valid time"),
        ({**_date("date", _day(3)), "cancelled": "on"}, "cannot be entered as cancelled"),
    ],
)
def test_a_meeting_form_with_bad_values_says_so(client_of, alice, police_forum, values, message):
    response = client_of(alice).post(
        reverse("forum_date_add", args=[SLUG, police_forum.pk]), {**values, "version": "none"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not police_forum.meetings.exists()


def test_planning_a_referral_sets_its_due_date(
    client_of, alice, referred, police, police_forum, meeting_of
):
    meeting = meeting_of(police_forum, 50)
    referral = referred.referrals.get(organisation=police)
    response = client_of(alice).post(
        reverse("plan_entry_edit", args=[SLUG, referral.pk]),
        {
            "forum_meeting": meeting.pk,
            "key_decision": "on",
            "private": "on",
            "exempt_paragraph": ExemptParagraph.FINANCIAL,
            "version": "none",
        },
    )
    assert response.status_code == 302
    entry = PlanEntry.objects.get()
    referral.refresh_from_db()
    assert (entry.key_decision, entry.private, entry.exempt_paragraph) == (True, True, 3)
    assert referral.due_on == meeting.date
    assert AuditEvent.objects.filter(verb="forward_plan.planned").exists()


def test_the_plan_form_offers_only_the_bodys_own_meetings(
    client_of, alice, referred, police, police_forum, fire_forum, meeting_of
):
    fire_meeting = meeting_of(fire_forum, 30)
    referral = referred.referrals.get(organisation=police)
    response = client_of(alice).post(
        reverse("plan_entry_edit", args=[SLUG, referral.pk]),
        {"forum_meeting": fire_meeting.pk, "version": "none"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PlanEntry.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"private": "on"}, "Choose the paragraph that allows taking it in private"),
        ({"exempt_paragraph": "3"}, "only for a decision taken in private"),
        ({"exempt_paragraph": "99", "private": "on"}, "Select a valid choice"),
        ({"forum_meeting": ""}, "Meeting where the body decides it"),
    ],
)
def test_the_plan_form_refuses_bad_values(
    client_of, alice, referred, police, police_forum, meeting_of, values, message
):
    meeting = meeting_of(police_forum, 30)
    referral = referred.referrals.get(organisation=police)
    response = client_of(alice).post(
        reverse("plan_entry_edit", args=[SLUG, referral.pk]),
        {"forum_meeting": meeting.pk, "version": "none", **values},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PlanEntry.objects.exists()


def test_a_stale_plan_form_is_refused(
    client_of, alice, referred, police, police_forum, meeting_of, plan
):
    meeting = meeting_of(police_forum, 30)
    referral = referred.referrals.get(organisation=police)
    plan(referral, meeting)
    response = client_of(alice).post(
        reverse("plan_entry_edit", args=[SLUG, referral.pk]),
        {"forum_meeting": meeting.pk, "key_decision": "on", "version": "2001-01-01T00:00:00"},
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert PlanEntry.objects.get().key_decision is False


def test_a_cancelled_meeting_is_not_offered(
    client_of, alice, referred, police, police_forum, meeting_of
):
    meeting = meeting_of(police_forum, 30)
    ForumMeeting.objects.filter(pk=meeting.pk).update(status=ForumMeeting.Status.CANCELLED)
    referral = referred.referrals.get(organisation=police)
    response = client_of(alice).post(
        reverse("plan_entry_edit", args=[SLUG, referral.pk]),
        {"forum_meeting": meeting.pk, "version": "none"},
    )
    assert "Select a valid choice" in response.content.decode()


def test_a_referral_that_does_not_exist_is_not_found(client_of, alice):
    assert client_of(alice).get(reverse("plan_entry_edit", args=[SLUG, 999999])).status_code == 404


def test_a_published_entry_and_a_planned_meeting_are_never_deleted(
    referred, police, police_forum, meeting_of, plan, board, alice
):
    meeting = meeting_of(police_forum, 30)
    entry = plan(referred.referrals.get(organisation=police), meeting)
    services.plan_publish(board=board, actor=alice)
    entry.refresh_from_db()
    with pytest.raises(DeletionRefused), transaction.atomic():
        entry.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        meeting.delete()
    assert PlanEntry.objects.filter(pk=entry.pk).exists()


def test_the_plan_lists_what_is_not_planned_yet(client_of, alice, referred):
    page = client_of(alice).get(reverse("forward_plan", args=[SLUG])).content.decode()
    assert "Not planned yet" in page
    assert page.count(referred.opportunity.reference) >= 3


def test_moving_a_meeting_by_hand_moves_its_referrals_due_date(
    client_of, alice, referred, police, police_forum, meeting_of, plan
):
    meeting = meeting_of(police_forum, 30)
    referral = referred.referrals.get(organisation=police)
    plan(referral, meeting)
    client_of(alice).post(
        reverse("forum_date_edit", args=[SLUG, police_forum.pk, meeting.pk]),
        {**_date("date", _day(44)), "version": version_token(meeting.updated_at)},
    )
    referral.refresh_from_db()
    assert referral.due_on == _day(44)


def test_cancelling_a_meeting_warns_on_the_plan(
    client_of, alice, referred, police, police_forum, meeting_of, plan
):
    meeting = meeting_of(police_forum, 30)
    plan(referred.referrals.get(organisation=police), meeting)
    client = client_of(alice)
    client.post(
        reverse("forum_date_edit", args=[SLUG, police_forum.pk, meeting.pk]),
        {
            **_date("date", meeting.date),
            "cancelled": "on",
            "version": version_token(meeting.updated_at),
        },
    )
    meeting.refresh_from_db()
    assert meeting.is_cancelled and police_forum.changes.get().kind == "cancelled"
    page = client.get(reverse("forward_plan", args=[SLUG])).content.decode()
    assert "The meeting has been cancelled: plan the decision at another meeting." in page


def test_a_stale_meeting_form_is_refused(client_of, alice, police_forum, meeting_of):
    meeting = meeting_of(police_forum, 30)
    response = client_of(alice).post(
        reverse("forum_date_edit", args=[SLUG, police_forum.pk, meeting.pk]),
        {**_date("date", _day(50)), "version": "2001-01-01T00:00:00+00:00"},
    )
    assert "changed by someone else" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.date == _day(30)


def test_a_meeting_of_another_forum_is_not_found(
    client_of, alice, police_forum, fire_forum, meeting_of
):
    meeting = meeting_of(fire_forum, 30)
    url = reverse("forum_date_edit", args=[SLUG, police_forum.pk, meeting.pk])
    assert client_of(alice).get(url).status_code == 404

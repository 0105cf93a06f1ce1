"""The 28 clear days a key decision needs on the forward plan, with a frozen clock: clear days
count neither the day of publication nor the day of the meeting."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from forwardplan import services
from forwardplan.models import ForumMeeting, clear_days_between

TODAY = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def test_clear_days_leave_out_the_day_of_publication_and_the_meeting_day():
    assert clear_days_between(date(2027, 3, 1), date(2027, 3, 30)) == 28
    assert clear_days_between(date(2027, 3, 1), date(2027, 3, 29)) == 27
    assert clear_days_between(date(2027, 3, 1), date(2027, 3, 2)) == 0


@pytest.fixture
def at_day_one():
    with time_machine.travel(TODAY, tick=False):
        yield


def _meeting(forum, on):
    return services.forum_meeting_add(forum=forum, actor=None, on=on)


@pytest.mark.usefixtures("at_day_one")
def test_a_key_decision_28_clear_days_ahead_is_not_warned(referred, police, police_forum, plan):
    referral = referred.referrals.get(organisation=police)
    entry = plan(referral, _meeting(police_forum, date(2027, 3, 30)), key=True)
    assert entry.notice_clear_days() == 28
    assert entry.warnings() == []


@pytest.mark.usefixtures("at_day_one")
def test_a_key_decision_with_27_clear_days_is_warned(referred, police, police_forum, plan):
    referral = referred.referrals.get(organisation=police)
    entry = plan(referral, _meeting(police_forum, date(2027, 3, 29)), key=True)
    assert entry.warnings() == [
        "Key decision with 27 clear days' notice (if published today): it needs 28."
    ]


@pytest.mark.usefixtures("at_day_one")
def test_a_decision_that_is_not_key_needs_no_notice(referred, police, police_forum, plan):
    referral = referred.referrals.get(organisation=police)
    entry = plan(referral, _meeting(police_forum, date(2027, 3, 5)), key=False)
    assert entry.warnings() == []


def test_notice_counts_from_the_day_the_plan_first_carried_it(
    referred, police, police_forum, fire_forum, plan, board, alice
):
    """Published on 1 March for a meeting on 30 March: 28 clear days, whatever day it is
    looked at; planned on 3 March instead, it would have had 26."""
    referral = referred.referrals.get(organisation=police)
    with time_machine.travel(TODAY, tick=False):
        entry = plan(referral, _meeting(police_forum, date(2027, 3, 30)), key=True)
        services.plan_publish(board=board, actor=alice)
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0))):
        entry.refresh_from_db()
        assert entry.first_published_on == date(2027, 3, 1)
        assert entry.warnings() == []
        fire_referral = referred.referrals.get(organisation=fire_forum.organisation)
    with time_machine.travel(datetime(2027, 3, 3, 9, 0, tzinfo=timezone.get_fixed_timezone(0))):
        later = plan(fire_referral, _meeting(fire_forum, date(2027, 3, 30)), key=True)
        assert later.notice_clear_days() == 26
        assert later.warnings() == [
            "Key decision with 26 clear days' notice (if published today): it needs 28."
        ]


@pytest.mark.usefixtures("at_day_one")
def test_moving_the_meeting_earlier_after_publication_warns_twice(
    referred, police, police_forum, plan, board, alice
):
    referral = referred.referrals.get(organisation=police)
    meeting = _meeting(police_forum, date(2027, 3, 30))
    entry = plan(referral, meeting, key=True)
    services.plan_publish(board=board, actor=alice)
    services.forum_meeting_change(
        meeting=meeting, actor=alice, on=date(2027, 3, 20), at=None, location="", cancelled=False
    )
    entry.refresh_from_db()
    assert entry.warnings() == [
        "Key decision with 18 clear days' notice (published): it needs 28.",
        "The meeting moved from 30 March 2027 to 20 March 2027 after the plan was published.",
    ]


@pytest.mark.usefixtures("at_day_one")
def test_the_plan_page_shows_the_warning(referred, police, police_forum, plan, alice, client_of):
    referral = referred.referrals.get(organisation=police)
    plan(referral, _meeting(police_forum, date(2027, 3, 20)), key=True)
    page = client_of(alice).get(reverse("forward_plan", args=["warwickshire"]))
    assert page.status_code == 200
    assert "Key decision with 18 clear days" in page.content.decode()
    assert "1 warning on the plan" in page.content.decode()
    assert ForumMeeting.objects.count() == 1


@pytest.mark.usefixtures("at_day_one")
def test_an_unsent_recommendation_past_the_forums_usual_notice_is_warned(
    record, assessed, police, police_forum, plan
):
    """The Chief Constable's board usually needs 28 days: a meeting on 20 March needs the papers
    by 20 February, and the recommendation has not been sent."""
    recommendation = record(assessed, [police])
    referral = recommendation.referrals.get()
    entry = plan(referral, _meeting(police_forum, date(2027, 3, 20)))
    assert entry.papers_due_on == date(2027, 2, 20)
    assert entry.warnings() == [
        "Chief Constable's management board usually needs 28 days' notice (papers by "
        "20 February 2027), and the recommendation has not been sent to the body yet."
    ]
    later = plan(referral, _meeting(police_forum, date(2027, 4, 20)))
    assert later.warnings() == []

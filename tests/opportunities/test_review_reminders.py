"""Review reminders: a fortnight before the next review and the day after it passes, to the
owner copied to the secretariat, each sent once; a moved date is reminded afresh."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from opportunities.models import Opportunity, Status
from opportunities.review_reminders import review_reminders_send

pytestmark = pytest.mark.django_db
REVIEW_ON = date(2027, 3, 15)


def at(day):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + (
        timedelta(hours=12)
    )


def remind_on(day, capture):
    with time_machine.travel(at(day)), capture(execute=True):
        return review_reminders_send()


def subjects_to(email):
    return [m.subject for m in mail.outbox if m.to == [email]]


@pytest.fixture
def due(in_delivery):
    Opportunity.objects.filter(pk=in_delivery.pk).update(next_review_on=REVIEW_ON)
    in_delivery.refresh_from_db()
    mail.outbox.clear()
    return in_delivery


def test_a_reminder_a_fortnight_before_and_one_the_day_after_each_once(
    due, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert remind_on(REVIEW_ON - timedelta(days=15), capture) == 0
    assert subjects_to("owen@police.example") == []

    assert remind_on(REVIEW_ON - timedelta(days=14), capture) == 1
    assert remind_on(REVIEW_ON - timedelta(days=13), capture) == 0  # a later run
    assert remind_on(REVIEW_ON, capture) == 0  # due today: not overdue yet
    soon = subjects_to("owen@police.example")
    assert soon == [f"{due.reference}: the review of “{due.title}” is due by 15 March 2027"]
    assert subjects_to("alice@police.example") == soon  # the secretariat's copy
    body = next(m.body for m in mail.outbox if m.to == ["owen@police.example"])
    assert "Dear Owen Oakes" in body and due.get_absolute_url() in body

    assert remind_on(REVIEW_ON + timedelta(days=1), capture) == 1
    remind_on(REVIEW_ON + timedelta(days=1), capture)  # the same day, run again
    remind_on(REVIEW_ON + timedelta(days=9), capture)
    overdue = [s for s in subjects_to("owen@police.example") if "was due on" in s]
    assert len(overdue) == 1
    kinds = Notification.objects.filter(recipient__email="owen@police.example")
    assert sorted(kinds.values_list("kind", flat=True)) == ["review_due", "review_overdue"]


def test_a_moved_date_is_reminded_afresh(due, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    remind_on(REVIEW_ON - timedelta(days=10), capture)
    moved = REVIEW_ON + timedelta(days=7)
    Opportunity.objects.filter(pk=due.pk).update(next_review_on=moved)
    remind_on(REVIEW_ON - timedelta(days=1), capture)
    assert len(subjects_to("owen@police.example")) == 2
    assert "is due by 22 March 2027" in subjects_to("owen@police.example")[1]


def test_only_the_owner_and_the_secretariat_hear(
    due, bob, erin, charlie, django_capture_on_commit_callbacks
):
    remind_on(REVIEW_ON + timedelta(days=2), django_capture_on_commit_callbacks)
    reminded = set(
        Notification.objects.filter(kind="review_overdue").values_list(
            "recipient__email", flat=True
        )
    )
    assert reminded == {"owen@police.example", "alice@police.example"}


def test_without_an_owner_the_secretariat_is_reminded(due, django_capture_on_commit_callbacks):
    Opportunity.objects.filter(pk=due.pk).update(owner=None)
    remind_on(REVIEW_ON - timedelta(days=1), django_capture_on_commit_callbacks)
    assert len(subjects_to("alice@police.example")) == 1


@pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN, Status.PROPOSED])
def test_an_opportunity_no_longer_under_review_is_not_reminded(
    due, status, django_capture_on_commit_callbacks
):
    Opportunity.objects.filter(pk=due.pk).update(status=status)
    assert remind_on(REVIEW_ON + timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind__startswith="review_").exists()


def test_a_second_run_asks_the_database_no_more_per_opportunity(
    make_opportunity, deliver, owen, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for index in range(5):
        opportunity = deliver(make_opportunity(title=f"Review {index}"), owner=owen)
        Opportunity.objects.filter(pk=opportunity.pk).update(next_review_on=REVIEW_ON)
    day = REVIEW_ON - timedelta(days=3)
    assert remind_on(day, django_capture_on_commit_callbacks) == 5
    # Opportunities, secretariats, reminders already written (plus the transaction).
    with time_machine.travel(at(day)), django_assert_num_queries(5):
        assert review_reminders_send() == 0


def test_the_reminders_run_on_the_beat_schedule(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["review-reminders"]["task"]
        == "opportunities.tasks.send_review_reminders"
    )


def test_the_task_sends_them(due, django_capture_on_commit_callbacks):
    from opportunities.tasks import send_review_reminders

    with time_machine.travel(at(REVIEW_ON)), django_capture_on_commit_callbacks(execute=True):
        assert send_review_reminders.delay().get() == 1
    assert len(subjects_to("owen@police.example")) == 1

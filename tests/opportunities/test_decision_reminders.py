from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from opportunities.reminders import decision_reminders_send
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


def at(day):
    """Noon on a day, for a frozen clock."""
    return timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time())
    ) + timedelta(hours=12)


def remind_on(day, capture):
    with time_machine.travel(at(day)), capture(execute=True):
        return decision_reminders_send()


def subjects_to(email):
    return [m.subject for m in mail.outbox if m.to == [email]]


def test_reminders_come_a_week_before_and_once_overdue_each_only_once(
    referred, fire, erin, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    due = referral_for(referred, fire).due_on  # 28 days after the referral was sent
    assert remind_on(due - timedelta(days=8), django_capture_on_commit_callbacks) == 0
    assert subjects_to("erin@fire.example") == []

    remind_on(due - timedelta(days=7), django_capture_on_commit_callbacks)
    remind_on(due - timedelta(days=6), django_capture_on_commit_callbacks)  # a later run
    due_soon = [s for s in subjects_to("erin@fire.example") if "is due by" in s]
    assert len(due_soon) == 1
    assert any("is due by" in s for s in subjects_to("alice@police.example"))  # secretariat copy

    remind_on(due + timedelta(days=1), django_capture_on_commit_callbacks)
    remind_on(due + timedelta(days=2), django_capture_on_commit_callbacks)
    overdue = [s for s in subjects_to("erin@fire.example") if "was due on" in s]
    assert len(overdue) == 1


def test_a_decided_referral_is_not_reminded(
    referred, fire, erin, django_capture_on_commit_callbacks
):
    referral = referral_for(referred, fire)
    decide(referral, erin)
    mail.outbox.clear()
    remind_on(referral.due_on + timedelta(days=3), django_capture_on_commit_callbacks)
    assert subjects_to("erin@fire.example") == []


def test_only_that_bodys_executives_and_the_secretariat_are_reminded(
    referred,
    fire,
    police,
    council,
    pat,
    cara,
    erin,
    bob,
    charlie,
    django_capture_on_commit_callbacks,
):
    for body, person in ((police, pat), (council, cara)):
        decide(referral_for(referred, body), person)
    remind_on(referral_for(referred, fire).due_on, django_capture_on_commit_callbacks)
    reminded = set(
        Notification.objects.filter(kind__in=["decision_due", "decision_overdue"]).values_list(
            "recipient__email", flat=True
        )
    )
    assert reminded == {"erin@fire.example", "alice@police.example"}


def test_the_reminders_run_on_the_beat_schedule(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["decision-reminders"]["task"]
        == "opportunities.tasks.send_decision_reminders"
    )


def test_the_people_to_remind_are_found_in_two_queries_whatever_the_number_of_referrals(
    referred, fire, erin, alice, django_assert_num_queries
):
    from opportunities.models import Referral
    from opportunities.reminders import _people_to_remind

    referrals = list(
        Referral.objects.select_related("recommendation__opportunity").filter(
            recommendation=referred
        )
    )
    assert len(referrals) > 1
    with django_assert_num_queries(2):
        executives, secretariats = _people_to_remind(referrals)
    assert erin in executives[fire.pk]
    assert alice in secretariats[referred.opportunity.board_id]

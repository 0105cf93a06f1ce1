"""A change stands when the broker cannot be reached: the page answers promptly, no error."""

import time

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from bluelight.celery import app as celery_app
from boards.models import BoardMembership
from core import enqueue
from notifications import tasks as notification_tasks
from notifications.models import Notification
from opportunities import services
from tests.check_answers import post_and_confirm
from tests.factories import MembershipFactory
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are really queued (not run in-process), and the broker refuses every message;
    yields the list of the messages it was asked to take."""
    asked = []

    def unreachable(producer, name, message, **kwargs):
        asked.append(name)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app.amqp, "send_task_message", unreachable)
    enqueue.broker_failure_forget()
    celery_app.conf.task_always_eager = False
    yield asked
    celery_app.conf.task_always_eager = True
    enqueue.broker_failure_forget()


def test_a_decision_is_recorded_while_the_broker_is_down(
    client_of, erin, referred, fire, broker_down, django_capture_on_commit_callbacks
):
    referral = referral_for(referred, fire)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_and_confirm(
            client_of(erin),
            reverse("referral_detail", kwargs={"pk": referral.pk}),
            {
                "outcome": "approved",
                "reference": "CAB/1",
                "notes": "",
                "revision": referral.revision,
            },
        )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "approved"
    # The message is a row, waiting to be sent once the broker is back.
    assert Notification.objects.filter(kind="decision_recorded", status="pending").exists()
    assert elapsed < 15


def test_a_decision_that_tells_many_people_asks_the_broker_only_once(
    erin, referred, board, fire, broker_down, django_capture_on_commit_callbacks
):
    """Each message asked of an unreachable broker can cost its timeouts (3 s when the broker
    hangs): after the first refusal the rest are left to the sweep without asking."""
    for n in range(3):
        MembershipFactory(board=board, role=BoardMembership.Role.SECRETARIAT)
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decide(
            referral=referral,
            actor=erin,
            outcome="approved",
            reference="",
            notes="",
            seen_revision=referral.revision,
        )
    waiting = Notification.objects.filter(status="pending", kind="decision_recorded")
    assert waiting.count() >= 4
    # One message to the broker for all of them (a worker would queue one task each).
    assert broker_down == ["notifications.tasks.deliver_notifications"]


def test_deliveries_are_queued_again_once_the_broker_has_had_time_to_return(
    alice, broker_down, monkeypatch
):
    assert notification_tasks.queue_deliveries([1, 2]) == 0
    assert notification_tasks.queue_deliveries([3]) == 0
    assert len(broker_down) == 1  # the second batch came too soon to ask again
    later = enqueue._process_failed_at + enqueue.BACKOFF_SECONDS
    monkeypatch.setattr(enqueue.time, "monotonic", lambda: later + 1)
    notification_tasks.queue_deliveries([4])
    assert len(broker_down) == 2

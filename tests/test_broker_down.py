"""A change stands when the broker cannot be reached: the page answers promptly, no error."""

import time

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from bluelight.celery import app as celery_app
from notifications.models import Notification
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are really queued (not run in-process), and the broker refuses every message."""

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app.amqp, "send_task_message", unreachable)
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_a_decision_is_recorded_while_the_broker_is_down(
    client_of, erin, referred, fire, broker_down, django_capture_on_commit_callbacks
):
    referral = referral_for(referred, fire)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(erin).post(
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

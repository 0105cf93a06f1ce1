"""A change stands when the broker cannot be reached: the page answers promptly, no error."""

import time

import pytest
from django.urls import reverse

from bluelight.celery import app as celery_app
from notifications.models import Notification
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db


def _fresh_connections():
    """Drop pooled broker connections so the next task is sent with the current settings."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None


@pytest.fixture
def broker_down():
    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    _fresh_connections()
    yield
    celery_app.conf.broker_url = previous
    _fresh_connections()
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

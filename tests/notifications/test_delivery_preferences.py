"""Each notice follows its recipient's choice: e-mailed at once, left for the digest, or kept
for the notification centre only — and the message log says which."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Notification
from notifications.services import notification_preferences_set
from notifications.tasks import deliver_notification, sweep_pending_notifications
from opportunities import services
from opportunities.reminders import decision_reminders_send
from tests.factories import UserFactory

from .helpers import notify, prefer

pytestmark = pytest.mark.django_db


def test_without_a_choice_a_notice_is_e_mailed_at_once(
    bob, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify([bob], 1, board=board)
    assert [m.to for m in mail.outbox] == [["bob@fire.example"]]
    notice = Notification.objects.get()
    assert (notice.status, notice.delivery) == ("sent", "immediate")


def test_a_digest_notice_waits_and_the_sweep_leaves_it_alone(
    bob, board, django_capture_on_commit_callbacks
):
    prefer(bob, "decision_recorded", Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([bob], 1, board=board) == []  # nothing queued for e-mail
    notice = Notification.objects.get()
    assert (notice.status, notice.delivery) == ("digest", "digest")
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert sweep_pending_notifications() == 0
        deliver_notification(notice.pk)  # a stray task sends nothing either
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.status == "digest" and notice.attempts == 0


def test_a_portal_only_notice_is_in_the_centre_never_e_mailed_nor_swept(
    client_of, bob, board, django_capture_on_commit_callbacks
):
    prefer(bob, "decision_recorded", Delivery.PORTAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify([bob], 1, board=board, subject="BLC-0001: WFRS — approved")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert sweep_pending_notifications() == 0
    assert mail.outbox == []
    notice = Notification.objects.get()
    assert (notice.status, notice.delivery) == ("portal_only", "portal")
    assert (
        "BLC-0001: WFRS — approved"
        in client_of(bob).get(reverse("notification_list")).content.decode()
    )


def test_each_person_gets_their_own_choice_for_the_same_event(
    alice, bob, erin, board, django_capture_on_commit_callbacks
):
    prefer(alice, "decision_recorded", Delivery.DIGEST)
    prefer(bob, "decision_recorded", Delivery.PORTAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice, bob, erin], 1, board=board)
    statuses = dict(Notification.objects.values_list("recipient__email", "status"))
    assert statuses == {
        "alice@police.example": "digest",
        "bob@fire.example": "portal_only",
        "erin@fire.example": "sent",
    }
    assert [m.to for m in mail.outbox] == [["erin@fire.example"]]


def test_a_choice_for_one_kind_leaves_the_others_alone(
    bob, board, django_capture_on_commit_callbacks
):
    prefer(bob, "outcome_known", Delivery.PORTAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify([bob], 1, board=board, kind="decision_recorded")
    assert len(mail.outbox) == 1


def test_a_stale_portal_only_choice_of_an_executive_goes_to_the_digest(
    referred, fire, erin, assessed, django_capture_on_commit_callbacks
):
    prefer(erin, "decision_due", Delivery.PORTAL)  # chosen before the authority was granted
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(days=25)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decision_reminders_send()
    notice = Notification.objects.get(recipient=erin, kind="decision_due")
    assert (notice.status, notice.delivery) == ("digest", "digest")
    assert "erin@fire.example" not in [address for m in mail.outbox for address in m.to]


def test_the_secretariat_copied_on_a_reminder_may_keep_it_in_the_portal(
    referred, fire, erin, alice, django_capture_on_commit_callbacks
):
    prefer(alice, "decision_due", Delivery.PORTAL)
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(days=25)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decision_reminders_send()
    assert set(
        Notification.objects.filter(kind="decision_due", recipient=alice).values_list(
            "status", flat=True
        )
    ) == {"portal_only"}
    recipients = {address for m in mail.outbox for address in m.to}
    assert "erin@fire.example" in recipients and "alice@police.example" not in recipients


def test_a_referral_reaches_an_executive_who_chose_the_digest_in_the_digest(
    assessed, record, alice, fire, erin, django_capture_on_commit_callbacks
):
    prefer(erin, "referral_sent", Delivery.DIGEST)
    recommendation = record(assessed, [fire])
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendation_send(recommendation=recommendation, actor=alice)
    assert Notification.objects.get(recipient=erin).status == "digest"
    assert mail.outbox == []


def test_the_preference_lookup_is_one_query_whatever_the_number_of_recipients(board):
    few = UserFactory.create_batch(2)
    many = UserFactory.create_batch(30)
    for person in many[:10]:
        prefer(person, "decision_recorded", Delivery.DIGEST)
    for person in many[10:20]:
        prefer(person, "decision_recorded", Delivery.PORTAL)
    with CaptureQueriesContext(connection) as small:
        notify(few, 1, board=board)
    with CaptureQueriesContext(connection) as large:
        notify(many, 2, board=board)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Notification.objects.filter(event_key="test:decision_recorded:2").count() == 30


def test_moving_a_kind_out_of_the_digest_takes_the_waiting_notices_with_it(
    bob, board, django_capture_on_commit_callbacks
):
    prefer(bob, "decision_recorded", Delivery.DIGEST)
    prefer(bob, "outcome_known", Delivery.DIGEST)
    notify([bob], 1, board=board, kind="decision_recorded")
    notify([bob], 2, board=board, kind="outcome_known")
    with django_capture_on_commit_callbacks(execute=True):
        notification_preferences_set(
            person=bob, deliveries={"decision_recorded": "immediate", "outcome_known": "portal"}
        )
    statuses = dict(Notification.objects.values_list("kind", "status"))
    assert statuses == {"decision_recorded": "sent", "outcome_known": "portal_only"}
    assert len(mail.outbox) == 1


def test_the_message_log_says_honestly_what_happened_to_each_notice(
    client_of, alice, bob, erin, board, django_capture_on_commit_callbacks
):
    prefer(bob, "decision_recorded", Delivery.DIGEST)
    prefer(erin, "decision_recorded", Delivery.PORTAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice, bob, erin], 1, board=board)
    log = reverse("message_log", kwargs={"slug": board.slug})
    client = client_of(alice)
    body = client.get(log).content.decode()
    assert "Waiting for the daily digest" in body
    assert "Not e-mailed (notification centre only)" in body
    assert ">Sent<" in body
    assert client.get(log, {"status": "failed"}).context["page"].paginator.count == 0
    assert client.get(log, {"status": "portal_only"}).context["page"].paginator.count == 1
    assert client.get(log, {"status": "digest"}).context["page"].paginator.count == 1
    assert "Send again" not in body  # nothing failed


def test_a_failed_digest_notice_sent_again_goes_on_its_own(
    client_of, alice, bob, board, django_capture_on_commit_callbacks
):
    prefer(bob, "decision_recorded", Delivery.DIGEST)
    notify([bob], 1, board=board)
    Notification.objects.update(status="failed", last_error="SMTPServerDisconnected")
    notice = Notification.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(alice).post(
            reverse("message_retry", kwargs={"slug": board.slug, "pk": notice.pk})
        )
    notice.refresh_from_db()
    assert (notice.status, notice.delivery) == ("sent", "immediate")
    assert [m.to for m in mail.outbox] == [["bob@fire.example"]]

"""Password resets and invitations to the portal are message rows first: written with the
request, sent after commit, swept when the broker was down, logged, and not in the person's
notification centre."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import sweep_after, sweep_pending_notifications

pytestmark = pytest.mark.django_db


def sweep_later() -> int:
    with time_machine.travel(timezone.now() + sweep_after() + timedelta(seconds=1)):
        return sweep_pending_notifications()


def test_a_reset_asked_for_while_the_broker_is_down_arrives_once_it_is_back(
    client, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the task
        response = client.post(reverse("password_reset"), {"email": "bob@fire.example"})
    assert response.status_code == 302
    row = Notification.objects.get(kind="password_reset")
    assert (row.recipient, row.status, row.board) == (bob, "pending", None)
    assert mail.outbox == []

    assert sweep_later() == 1
    [message] = mail.outbox
    assert message.to == ["bob@fire.example"]
    assert message.extra_headers["Message-ID"] == Notification.objects.get().message_id
    link = re.search(r"https://portal\.example\.org(/password/reset/\S+/)", message.body).group(1)
    assert "Choose a new password" in client.get(link, follow=True).content.decode()
    assert sweep_later() == 0 and len(mail.outbox) == 1


def test_a_reset_for_an_unknown_address_writes_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert not Notification.objects.exists()


def test_a_reset_is_not_shown_in_the_notification_centre(
    client, client_of, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "bob@fire.example"})
    page = client_of(bob).get(reverse("notification_list"))
    assert "Reset your password" not in page.content.decode()
    assert Notification.objects.get().read_at is not None  # never counted as unread


def invite(client, board, organisation, capture, execute):
    with capture(execute=execute):
        return client.post(
            reverse("person_invite", kwargs={"slug": board.slug}),
            {
                "full_name": "Dana Doyle",
                "email": "dana.doyle@police.example",
                "job_title": "",
                "role": "member",
                "organisation": organisation.pk,
            },
        )


def test_an_invitation_lost_at_commit_is_sent_by_the_sweep_with_a_working_link(
    client, client_of, alice, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks, execute=False)
    row = Notification.objects.get(kind="person_invitation")
    assert (row.status, row.board) == ("pending", board)
    assert sweep_later() == 1
    [message] = mail.outbox
    link = re.search(r"https://portal\.example\.org(/invitation/\S+/)", message.body).group(1)
    response = client.post(
        link,
        {
            "new_password1": "a-long-and-unusual-secret-7",
            "new_password2": "a-long-and-unusual-secret-7",
        },
    )
    assert response.status_code == 302


def test_the_invitation_is_in_the_boards_message_log(
    client_of, alice, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks, execute=True)
    page = client_of(alice).get(reverse("message_log", kwargs={"slug": board.slug}))
    body = page.content.decode()
    assert "Invitation to join the portal" in body
    assert "dana.doyle@police.example" in body or "Dana Doyle" in body


def test_an_invitation_replaced_before_it_went_out_is_not_sent(
    client_of, alice, board, police, django_capture_on_commit_callbacks
):
    from boards import services as board_services
    from boards.models import PersonInvitation

    invite(client_of(alice), board, police, django_capture_on_commit_callbacks, execute=False)
    first = PersonInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        board_services.invitation_resend(invitation=first, invited_by=alice)
    sweep_later()
    assert len(mail.outbox) == 1  # only the fresh link
    statuses = sorted(Notification.objects.values_list("status", flat=True))
    assert statuses == ["not_needed", "sent"]

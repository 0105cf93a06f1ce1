import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def ask_for_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": email})
    return response, callbacks


def reset_link(message) -> str:
    return re.search(r"https://portal\.example\.org(/password/reset/\S+/)", message.body).group(1)


def test_reset_email_is_queued_after_commit_and_links_to_a_working_page(
    client, bob, django_capture_on_commit_callbacks
):
    response, callbacks = ask_for_reset(
        client, "bob@fire.example", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@fire.example"]
    assert "reset your password" in message.subject
    assert message.alternatives[0][1] == "text/html"

    form_page = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-better-secret-9", "new_password2": "a-much-better-secret-9"},
    )
    assert done.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a-much-better-secret-9")


def test_reset_link_works_only_once(client, bob, django_capture_on_commit_callbacks):
    ask_for_reset(client, "bob@fire.example", django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-much-better-secret-9", "new_password2": "a-much-better-secret-9"},
    )
    again = client.get(link, follow=True)
    assert "This link has expired or has already been used" in again.content.decode()


def test_reset_link_expires(client, bob, django_capture_on_commit_callbacks, settings):
    ask_for_reset(client, "bob@fire.example", django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        page = client.get(link, follow=True)
    assert "This link has expired or has already been used" in page.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(
    client, django_capture_on_commit_callbacks
):
    response, _ = ask_for_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_malformed_address_is_refused_in_the_form(client, django_capture_on_commit_callbacks):
    response, _ = ask_for_reset(client, "not an address", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert mail.outbox == []


def test_weak_new_password_is_refused(client, bob, django_capture_on_commit_callbacks):
    ask_for_reset(client, "bob@fire.example", django_capture_on_commit_callbacks)
    page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in body
    assert "This password is too common" in body


def test_a_mail_server_error_is_retried_later_at_the_time_the_row_says(
    client, bob, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.tasks.send_templated_email", refuse)
    ask_for_reset(client, "bob@fire.example", django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind="password_reset", recipient=bob)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "mail server down" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert mail.outbox == []

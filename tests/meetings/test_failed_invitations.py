"""A meeting's calendar e-mails that failed are shown on its page to the secretariat, who sends
each again from there; nobody else sees them or may re-send."""

import pytest
from django.core import mail
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingInvitation
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(meeting, alice, django_capture_on_commit_callbacks):
    """The meeting scheduled; bob's invitation failed (the mail server refused it)."""
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED
        )
    message = Notification.objects.get(
        recipient__email="bob@fire.example", event_key__startswith=f"meeting:{meeting.pk}:"
    )
    Notification.objects.filter(pk=message.pk).update(
        status=Notification.Status.FAILED, last_error="550 mailbox unavailable"
    )
    # As if it never left: the invitation records nothing sent to bob.
    MeetingInvitation.objects.filter(meeting=meeting, person__email="bob@fire.example").update(
        sequence_sent=-1
    )
    mail.outbox.clear()
    return message


def resend_url(meeting, message) -> str:
    return reverse("meeting_message_resend", args=[meeting.pk, message.pk])


def test_the_secretariat_sees_the_failed_invitation_on_the_meeting_page(
    client_of, alice, meeting, failed
):
    body = client_of(alice).get(meeting.get_absolute_url()).content.decode()
    assert "E-mails that could not be sent" in body
    assert "550 mailbox unavailable" in body
    assert resend_url(meeting, failed) in body


def test_the_secretariat_sends_it_again_and_it_is_delivered_once(
    client_of, alice, meeting, failed, django_capture_on_commit_callbacks
):
    client = client_of(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(meeting, failed), follow=True)
    assert "queued to be sent again" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["bob@fire.example"]]
    assert "E-mails that could not be sent" not in response.content.decode()


def test_a_message_that_has_not_failed_is_not_sent_again(client_of, alice, meeting, failed):
    sent = Notification.objects.exclude(pk=failed.pk).filter(
        event_key__startswith=f"meeting:{meeting.pk}:"
    )[0]
    response = client_of(alice).post(resend_url(meeting, sent), follow=True)
    assert "Only an e-mail that failed can be sent again" in response.content.decode()


def test_a_message_of_another_meeting_is_not_found(client_of, alice, meeting, failed, board):
    from tests.factories import MeetingFactory

    other = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
    assert client_of(alice).post(resend_url(other, failed)).status_code == 404


def test_a_member_neither_sees_nor_resends_it(client_of, bob, meeting, failed):
    client = client_of(bob)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "E-mails that could not be sent" not in body
    assert client.post(resend_url(meeting, failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == Notification.Status.FAILED


def test_a_person_of_another_body_does_not_find_the_meeting(client_of, charlie, meeting, failed):
    assert client_of(charlie).post(resend_url(meeting, failed)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, meeting, failed):
    response = client.post(resend_url(meeting, failed))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_resending_is_post_only(client_of, alice, meeting, failed):
    assert client_of(alice).get(resend_url(meeting, failed)).status_code == 405

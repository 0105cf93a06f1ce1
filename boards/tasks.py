"""The former e-mail tasks of people and boards, kept only so that messages queued by an earlier
release still run after an upgrade. Invitations and password resets are message rows now
(``boards.signals.email_request``), sent by ``notifications.tasks.deliver_notification``."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.emails import send_templated_email
from core.tasks import MAIL_TASK

from .models import PersonInvitation, User

logger = logging.getLogger("bluelight.tasks")


@shared_task(**MAIL_TASK)
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = (
        PersonInvitation.objects.pending()
        .select_related("person", "board", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:  # accepted, replaced or expired since it was queued
        return
    link = settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token})
    send_templated_email(
        template="invitation",
        to=[invitation.person.email],
        context={"invitation": invitation, "link": link},
    )


@shared_task(**MAIL_TASK)
def send_password_reset_email(user_id: int) -> None:
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or not person.has_usable_password():
        return
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    send_templated_email(
        template="password_reset",
        to=[person.email],
        context={
            "person": person,
            "link": link,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )

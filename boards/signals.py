"""E-mails this app asks for, written as message rows by the notifications app.

Every e-mail is a row before it is sent (swept, retried and logged with the board's other
messages), and those rows belong to the notifications app, which comes after this one in the
import order. So this app names what it wants sent and the notifications app, connected to
``email_requested`` when it is ready, writes the row in the caller's transaction and queues it
once that commits.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

# Sent with: kind, recipient, event_key, subject, link, payload, board.
email_requested = Signal()


def email_request(**message: Any) -> None:
    """Ask for one e-mail to be written as a row and sent after commit."""
    if not email_requested.send(sender=None, **message):
        raise ImproperlyConfigured("No app writes the portal's e-mails: add notifications.")

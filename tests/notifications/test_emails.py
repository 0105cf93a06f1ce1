"""Every notice's e-mail names the board, has a clear subject and the link, and a footer link to
the notification settings."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "reference": "BLC-0007",
    "title": "Shared estates at Leamington",
    "body": "Warwickshire Fire and Rescue Service",
    "executive_body": "Fire and Rescue Authority",
    "due_on": "1 March 2027",
    "wording": "Share the station.",
    "decision": "Approved",
    "decision_reference": "FRA/12",
    "notes": "",
    "outcome": "Approved",
    "version": 1,
    "meeting": "Board meeting",
    "when": "1 March 2027",
    "description": "Draft the lease.",
    "overdue": False,
}


@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_every_kind_of_notice_names_the_board_and_links_to_its_page_and_the_settings(
    bob, board, kind
):
    notice = Notification.objects.create(
        recipient=bob,
        kind=kind,
        event_key=f"mail:{kind}",
        subject=f"BLC-0007: a clear subject for {kind}",
        link="/register/BLC-0007/",
        payload={**PAYLOAD, "board": board.name},
        board=board,
    )
    deliver_notification(notice.pk)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == f"BLC-0007: a clear subject for {kind}"
    for part in (message.body, html):
        assert board.name in part
        assert "https://portal.example.org/register/BLC-0007/" in part
        assert "https://portal.example.org/notifications/preferences/" in part
    assert "List-Unsubscribe" not in message.extra_headers  # only the digest has one

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def url(board):
    return reverse("message_log", kwargs={"slug": board.slug})


def message(board, person, n, **fields):
    values = {
        "kind": "decision_recorded",
        "subject": f"BLC-{n:04d}: a decision",
        "link": "/register/",
        "payload": {
            "board": board.name,
            "reference": "BLC",
            "title": "t",
            "body": "b",
            "executive_body": "e",
            "decision": "Approved",
            "decision_reference": "",
            "notes": "",
        },
        "board": board,
    }
    values.update(fields)
    return Notification.objects.create(recipient=person, event_key=f"log:{n}", **values)


def test_secretariat_sees_searches_and_filters_the_boards_messages(client_of, alice, bob, board):
    message(board, bob, 1, status="sent")
    message(board, alice, 2, status="failed", last_error="SMTPServerDisconnected")
    client = client_of(alice)
    assert client.get(url(board)).context["page"].paginator.count == 2
    found = client.get(url(board), {"q": "Bob Baker"}).context["page"].object_list
    assert [m.recipient for m in found] == [bob]
    failed = client.get(url(board), {"status": "failed"}).context["page"].object_list
    assert [m.status for m in failed] == ["failed"]
    assert "SMTPServerDisconnected" in client.get(url(board)).content.decode()


def test_another_boards_messages_are_not_listed(client_of, alice, charlie, board):
    from boards.models import Board

    other = Board.objects.get(slug="elsewhere")
    message(other, charlie, 3)
    assert client_of(alice).get(url(board)).context["page"].paginator.count == 0


def test_a_failed_message_is_sent_again(
    client_of, alice, bob, board, django_capture_on_commit_callbacks
):
    failed = message(board, bob, 4, status="failed", attempts=6)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(
            reverse("message_retry", kwargs={"slug": board.slug, "pk": failed.pk})
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [m.to for m in mail.outbox] == [["bob@fire.example"]]


def test_only_failed_messages_can_be_sent_again(client_of, alice, bob, board):
    sent = message(board, bob, 5, status="sent")
    response = client_of(alice).post(
        reverse("message_retry", kwargs={"slug": board.slug, "pk": sent.pk}), follow=True
    )
    assert "Only a failed message can be sent again" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 404), ("erin", 404)])
def test_others_may_not_see_or_retry(client_of, request, board, bob, person, status):
    failed = message(board, bob, 6, status="failed")
    client = client_of(request.getfixturevalue(person))
    assert client.get(url(board)).status_code == status
    retry = reverse("message_retry", kwargs={"slug": board.slug, "pk": failed.pk})
    assert client.post(retry).status_code == status
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_anonymous_is_sent_to_sign_in(client, board):
    assert client.get(url(board))["Location"].startswith("/sign-in/")


def test_the_log_queries_do_not_grow_with_messages(
    client_of, alice, bob, board, django_assert_max_num_queries
):
    client = client_of(alice)
    client.get(url(board))
    for n in range(3):
        message(board, bob, 100 + n)
    with django_assert_max_num_queries(12) as one_page:
        client.get(url(board))
    for n in range(30):
        message(board, bob, 200 + n)
    with django_assert_max_num_queries(len(one_page.captured_queries) + 1) as small:
        client.get(url(board))  # a second page: the messages are counted (a few pages ahead)
    for n in range(100):
        message(board, bob, 300 + n)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        client.get(url(board))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_long_log_is_counted_only_a_few_pages_ahead(client_of, alice, bob, board):
    Notification.objects.bulk_create(
        Notification(
            recipient=bob,
            board=board,
            kind="decision_recorded",
            event_key=f"long:{n}",
            subject=f"BLC-{n:04d}: a decision",
            link="/register/",
        )
        for n in range(300)
    )
    client = client_of(alice)
    body = client.get(url(board)).content.decode()
    # Eleven pages of 25 counted, and more beyond: no total is claimed.
    assert "More than 275 messages" in body
    assert '<span class="page-link">Page 1</span>' in body
    assert "page=2" in body
    last = client.get(url(board) + "?page=12").content.decode()
    assert "300 messages" in last
    assert '<span class="page-link">Page 12 of 12</span>' in last
    assert "BLC-0000: a decision" in last and "page=13" not in last
    short = client.get(url(board) + "?q=BLC-0042").content.decode()
    assert "1 message<" in short and "Page 1" not in short

"""The unread count in every page's header is kept in the cache and is never stale: each way
a notification is written or read renews it."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Notification
from notifications.unread import unread_count

pytestmark = pytest.mark.django_db
PAGE = reverse("password_change_done")


def notice(person, n, **fields):
    values = {"kind": "decision_recorded", "subject": f"Notice {n}", "link": "/register/"}
    values.update(fields)
    return Notification.objects.create(recipient=person, event_key=f"unread:{n}", **values)


def badge(client) -> str | None:
    body = client.get(PAGE).content.decode()
    marker = '<span class="visually-hidden"> unread</span>'
    if marker not in body:
        return None
    return body.split(marker)[0].rsplit(">", 1)[1]


def warm(person) -> int:
    """The count, read twice: the second time from the cache."""
    unread_count(person)
    return unread_count(person)


def test_the_count_is_kept_in_the_cache(bob, django_assert_num_queries):
    notice(bob, 1)
    assert unread_count(bob) == 1
    with django_assert_num_queries(0):
        assert unread_count(bob) == 1


def test_a_notification_saved_is_counted_on_the_next_page(client_of, bob):
    browser = client_of(bob)
    assert badge(browser) is None
    notice(bob, 1)
    assert badge(browser) == "1"
    notice(bob, 2)
    assert badge(browser) == "2"


def test_notifications_written_together_are_counted_for_each_recipient(bob, alice, frank):
    assert warm(bob) == warm(alice) == warm(frank) == 0
    services.notification_create_many(
        recipients=[bob, alice],
        kind="decision_recorded",
        event_key="together:1",
        subject="Decided",
        link="/register/",
        payload={},
    )
    assert unread_count(bob) == 1 and unread_count(alice) == 1
    assert unread_count(frank) == 0


def test_notices_left_for_the_digest_or_the_centre_are_counted_too(bob):
    from notifications.models import Delivery
    from tests.notifications.helpers import prefer

    prefer(bob, "decision_recorded", Delivery.DIGEST)
    prefer(bob, "outcome_known", Delivery.PORTAL)
    assert warm(bob) == 0
    for n, kind in enumerate(["decision_recorded", "outcome_known"]):
        services.notification_create_many(
            recipients=[bob], kind=kind, event_key=f"kept:{n}", subject="s", link="/", payload={}
        )
    assert unread_count(bob) == 2


def test_messages_that_are_not_notices_are_never_counted(bob):
    assert warm(bob) == 0
    services.notification_create_many(
        recipients=[bob],
        kind=Notification.Message.PASSWORD_RESET,
        event_key="reset:1",
        subject="Reset",
        link="/",
        payload={},
    )
    assert unread_count(bob) == 0


def test_marking_some_read_is_seen_at_once(bob):
    first, second = notice(bob, 1), notice(bob, 2)
    assert warm(bob) == 2
    services.notifications_mark_read(person=bob, ids=[first.pk])
    assert unread_count(bob) == 1
    services.notifications_mark_read(person=bob, ids=[second.pk])
    assert unread_count(bob) == 0


def test_opening_a_notification_lowers_the_count_on_the_next_page(client_of, bob):
    browser = client_of(bob)
    item = notice(bob, 1)
    notice(bob, 2)
    assert badge(browser) == "2"
    browser.post(reverse("notification_open", kwargs={"pk": item.pk}))
    assert badge(browser) == "1"


def test_marking_all_read_clears_the_count_on_the_next_page(client_of, bob):
    browser = client_of(bob)
    notice(bob, 1)
    notice(bob, 2)
    assert badge(browser) == "2"
    browser.post(reverse("notification_read_all"))
    assert badge(browser) is None


def test_a_notification_saved_read_one_by_one_is_seen(bob):
    from django.utils import timezone

    item = notice(bob, 1)
    assert warm(bob) == 1
    item.read_at = timezone.now()
    item.save(update_fields=["read_at"])
    assert unread_count(bob) == 0


def test_rows_updated_or_written_in_bulk_renew_the_count(bob):
    from django.utils import timezone

    items = [notice(bob, n) for n in range(3)]
    assert warm(bob) == 3
    Notification.objects.filter(pk=items[0].pk).update(read_at=timezone.now())
    assert unread_count(bob) == 2
    items[1].read_at = timezone.now()
    Notification.objects.bulk_update([items[1]], ["read_at"])
    assert unread_count(bob) == 1
    Notification.objects.bulk_create(
        [Notification(recipient=bob, kind="decision_recorded", event_key="bulk:1", link="/")]
    )
    assert unread_count(bob) == 2


def test_one_persons_count_is_never_anothers(client, client_of, bob, alice):
    notice(alice, 1)
    notice(alice, 2)
    assert badge(client_of(alice)) == "2"
    client.logout()
    assert badge(client_of(bob)) is None

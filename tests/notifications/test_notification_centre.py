import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification

pytestmark = pytest.mark.django_db
URL = reverse("notification_list")


def notice(person, n=1, **fields):
    values = {
        "kind": "decision_recorded",
        "subject": f"Notice {n}",
        "link": "/register/",
        "payload": {},
    }
    values.update(fields)
    return Notification.objects.create(recipient=person, event_key=f"test:{n}", **values)


def test_a_person_sees_their_own_notifications_and_the_unread_count(client_of, bob, alice):
    notice(bob, 1, subject="BLC-0001: WFRS — approved")
    notice(alice, 2, subject="For someone else")
    body = client_of(bob).get(URL).content.decode()
    assert "BLC-0001: WFRS — approved" in body
    assert "For someone else" not in body
    assert '1<span class="visually-hidden"> unread</span>' in body


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client_of, bob):
    item = notice(bob, link="/register/")
    response = client_of(bob).post(reverse("notification_open", kwargs={"pk": item.pk}))
    assert response.status_code == 302 and response["Location"] == "/register/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_a_link_to_another_site_is_never_followed(client_of, bob):
    item = notice(bob, link="//evil.example/")
    response = client_of(bob).post(reverse("notification_open", kwargs={"pk": item.pk}))
    assert response["Location"] == reverse("home")


def test_someone_elses_notification_cannot_be_opened(client_of, bob, alice):
    item = notice(alice)
    assert (
        client_of(bob).post(reverse("notification_open", kwargs={"pk": item.pk})).status_code == 404
    )
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read_touches_only_mine(client_of, bob, alice):
    notice(bob, 1)
    notice(bob, 2)
    theirs = notice(alice, 3)
    response = client_of(bob).post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_is_post_only_and_anonymous_is_sent_to_sign_in(client, client_of, bob):
    item = notice(bob)
    assert client.get(URL)["Location"].startswith("/sign-in/")
    assert (
        client_of(bob).get(reverse("notification_open", kwargs={"pk": item.pk})).status_code == 405
    )


def test_the_list_queries_do_not_grow_with_notifications(
    client_of, bob, django_assert_max_num_queries
):
    client = client_of(bob)
    client.get(URL)
    for n in range(3):
        notice(bob, n)
    with django_assert_max_num_queries(12) as one_page:
        client.get(URL)
    for n in range(3, 40):
        notice(bob, n, read_at=timezone.now())
    with django_assert_max_num_queries(len(one_page.captured_queries) + 1) as small:
        client.get(URL)  # a second page: the notices are counted (a few pages ahead)
    for n in range(40, 120):
        notice(bob, n, read_at=timezone.now())
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert response.content.decode().count('class="notification') == 25
    assert len(large.captured_queries) == len(small.captured_queries)


def test_many_notifications_are_paged_without_counting_them_all(client_of, bob):
    Notification.objects.bulk_create(
        Notification(
            recipient=bob,
            kind="decision_recorded",
            event_key=f"many:{n}",
            subject=f"Notice {n:03d}",
            link="/register/",
        )
        for n in range(300)
    )
    client = client_of(bob)
    first = client.get(reverse("notification_list")).content.decode()
    assert '<span class="page-link">Page 1</span>' in first and "page=2" in first
    assert "Notice 299" in first
    last = client.get(reverse("notification_list") + "?page=12").content.decode()
    assert '<span class="page-link">Page 12 of 12</span>' in last
    assert "Notice 000" in last

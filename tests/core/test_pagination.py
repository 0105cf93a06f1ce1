"""Pages of a long list counted only a few pages ahead of the one shown."""

import pytest

from core.pagination import MAX_PAGE, CountedAheadPaginator
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notices(person, count):
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind="decision_recorded",
            event_key=f"page:{n}",
            subject=f"Notice {n}",
            link="/register/",
        )
        for n in range(count)
    )
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-pk")


def test_a_list_that_ends_within_reach_is_counted_to_its_end():
    rows = notices(UserFactory(), 12)
    page = CountedAheadPaginator(rows, 5, pages_ahead=2).get_page(1)
    assert page.paginator.counted_all
    assert page.paginator.count == 12
    assert page.paginator.num_pages == 3
    assert len(page.object_list) == 5 and page.has_next() and not page.has_previous()


def test_a_longer_list_is_counted_only_a_few_pages_past_the_one_asked_for():
    rows = notices(UserFactory(), 40)
    paginator = CountedAheadPaginator(rows, 5, pages_ahead=2)
    page = paginator.get_page(2)
    assert not paginator.counted_all
    assert paginator.count == 20  # pages 1 to 4 counted: more rows lie beyond them
    assert page.has_next() and page.has_previous()
    assert [n.subject for n in page.object_list] == [f"Notice {n}" for n in range(34, 29, -1)]


def test_the_last_pages_are_counted_to_the_end():
    rows = notices(UserFactory(), 40)
    paginator = CountedAheadPaginator(rows, 5, pages_ahead=2)
    page = paginator.get_page(7)
    assert paginator.counted_all
    assert paginator.num_pages == 8
    assert page.has_next()
    last = CountedAheadPaginator(rows, 5, pages_ahead=2).get_page(8)
    assert not last.has_next() and [n.subject for n in last.object_list][-1] == "Notice 0"


@pytest.mark.parametrize("asked", ["99", "0", "-3", "two", None, "", str(MAX_PAGE * 10)])
def test_a_page_out_of_reach_or_not_a_number_shows_a_real_page(asked):
    rows = notices(UserFactory(), 12)
    page = CountedAheadPaginator(rows, 5, pages_ahead=2).get_page(asked)
    expected = 3 if asked in ("99", str(MAX_PAGE * 10)) else 1
    assert page.number == expected
    assert page.object_list

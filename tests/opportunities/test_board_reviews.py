"""The board's list of reviews overdue and due soon, and the review column of the register."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from opportunities.models import Opportunity, Status

pytestmark = pytest.mark.django_db
URL = reverse("board_reviews", kwargs={"slug": "warwickshire"})
TODAY = date(2026, 11, 26)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to("2026-11-26 12:00 +0000", tick=False)


@pytest.fixture
def under_review(frozen, make_opportunity):
    """``under_review(title, due_in_days, status)``: an opportunity with that next review."""

    def make(title, due_in_days, status=Status.IN_DELIVERY):
        opportunity = make_opportunity(title=title)
        Opportunity.objects.filter(pk=opportunity.pk).update(
            status=status, next_review_on=TODAY + timedelta(days=due_in_days)
        )
        return opportunity

    return make


@pytest.fixture
def reviews(under_review, make_opportunity):
    under_review("Overdue a week", -7)
    under_review("Due today", 0, Status.ON_HOLD)
    under_review("Due in a month", 30, Status.IMPLEMENTED)
    under_review("Due in two months", 60)
    under_review("Closed long ago", -100, Status.CLOSED)  # not under review any more
    make_opportunity(title="Never reviewed")


def titles(response):
    return [o.title for o in response.context["page"].object_list]


def test_members_see_overdue_and_soon_due_reviews_soonest_first(client_of, bob, reviews):
    response = client_of(bob).get(URL)
    assert titles(response) == ["Overdue a week", "Due today", "Due in a month"]
    body = response.content.decode()
    assert body.count('badge text-bg-danger">Overdue') == 1
    assert "3 reviews due" in body


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("overdue", ["Overdue a week"]),
        ("soon", ["Due today", "Due in a month"]),
        ("", ["Overdue a week", "Due today", "Due in a month"]),
    ],
)
def test_filter(client_of, bob, reviews, due, expected):
    assert titles(client_of(bob).get(URL, {"due": due})) == expected


def test_a_bad_filter_is_ignored_with_a_message(client_of, bob, reviews):
    response = client_of(bob).get(URL, {"due": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(titles(response)) == 3


def test_pagination(client_of, bob, under_review):
    for index in range(30):
        under_review(f"Review {index:02d}", index - 10)
    client = client_of(bob)
    first = titles(client.get(URL))
    assert len(first) == 25 and first[0] == "Review 00"
    second = client.get(URL, {"page": 2, "due": ""})
    assert titles(second) == [f"Review {index}" for index in range(25, 30)]
    assert "Page 2 of 2" in second.content.decode()


def test_person_of_another_board_gets_not_found(client_of, charlie, reviews):
    assert client_of(charlie).get(URL).status_code == 404


def test_an_executive_without_a_board_role_gets_not_found(client_of, erin, reviews):
    assert client_of(erin).get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")


def test_the_list_queries_do_not_grow_with_rows(
    client_of, bob, alice, under_review, owen, django_assert_max_num_queries
):
    from opportunities.review_services import review_record

    def add(count, prefix):
        for index in range(count):
            opportunity = under_review(f"{prefix} {index}", index - 5)
            Opportunity.objects.filter(pk=opportunity.pk).update(owner=owen)
            review_record(
                opportunity=opportunity,
                actor=alice,
                held_on=TODAY - timedelta(days=100),
                conclusion="x",
                rag="green",
                next_review_on=TODAY + timedelta(days=index - 5),
            )

    client = client_of(bob)
    client.get(URL)
    add(3, "Small")
    with django_assert_max_num_queries(20) as small:
        response = client.get(URL)
    assert "Owen Oakes" in response.content.decode()
    assert "18 August 2026" in response.content.decode()  # the last review
    add(35, "Large")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert len(titles(response)) == 25
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the register's review column ----------------------------------------------------------------


def test_the_register_shows_the_next_review_with_an_overdue_badge(client_of, bob, reviews):
    body = client_of(bob).get(reverse("register_list"), {"sort": "title"}).content.decode()
    assert '19 November 2026 <span class="badge text-bg-danger">Overdue</span>' in body
    assert "26 December 2026" in body


def test_the_register_queries_stay_flat_with_reviews(
    client_of, bob, alice, under_review, django_assert_max_num_queries
):
    from opportunities.review_services import review_record

    def add(count, prefix):
        for index in range(count):
            opportunity = under_review(f"{prefix} {index}", index - 5)
            review_record(
                opportunity=opportunity,
                actor=alice,
                held_on=TODAY - timedelta(days=10),
                conclusion="x",
                rag="amber",
                next_review_on=TODAY + timedelta(days=index - 5),
            )

    client = client_of(bob)
    client.get(reverse("register_list"))
    add(3, "Small")
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("register_list"), {"sort": "review"})
    add(30, "Large")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("register_list"), {"sort": "review"})
    assert "Overdue" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)

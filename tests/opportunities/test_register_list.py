from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Opportunity, Rag, Status, Theme

pytestmark = pytest.mark.django_db
URL = reverse("register_list")


def titles(response) -> list[str]:
    return [o.title for o in response.context["page"].object_list]


@pytest.fixture
def register(make_opportunity, police, fire, council):
    today = timezone.localdate()
    make_opportunity(
        title="Southam station",
        theme=Theme.ESTATES,
        lead_organisation=fire,
        participating=[fire, police],
        rag=Rag.GREEN,
        next_review_on=today - timedelta(days=3),
    )
    Opportunity.objects.filter(title="Southam station").update(status=Status.IN_DELIVERY)
    make_opportunity(
        title="Arson taskforce",
        theme=Theme.PREVENTION,
        lead_organisation=police,
        participating=[police],
        rag=Rag.AMBER,
        next_review_on=today + timedelta(days=10),
    )
    make_opportunity(
        title="Fleet workshop",
        theme=Theme.FLEET,
        lead_organisation=council,
        participating=[council],
        summary="Shared vehicle maintenance for arson cars too",
        next_review_on=today + timedelta(days=20),
    )
    # Under review (in delivery); the taskforce's date does not count while under assessment.
    Opportunity.objects.filter(title="Fleet workshop").update(status=Status.IN_DELIVERY)
    Opportunity.objects.filter(title="Arson taskforce").update(status=Status.UNDER_ASSESSMENT)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Southam station", "Arson taskforce", "Fleet workshop"}),
        ({"status": "under_assessment"}, {"Arson taskforce"}),
        ({"theme": "fleet"}, {"Fleet workshop"}),
        ({"rag": "green"}, {"Southam station"}),
        ({"review": "overdue"}, {"Southam station"}),
        ({"review": "30"}, {"Fleet workshop"}),
        ({"q": "arson"}, {"Arson taskforce", "Fleet workshop"}),
        ({"q": "southam"}, {"Southam station"}),
    ],
)
def test_filters(client_of, bob, register, query, expected):
    assert set(titles(client_of(bob).get(URL, query))) == expected


def test_filter_by_lead_and_participating_body(client_of, bob, register, police, fire):
    client = client_of(bob)
    assert set(titles(client.get(URL, {"lead": fire.pk}))) == {"Southam station"}
    assert set(titles(client.get(URL, {"body": police.pk}))) == {
        "Southam station",
        "Arson taskforce",
    }


def test_search_by_reference(client_of, bob, register):
    target = Opportunity.objects.get(title="Fleet workshop")
    assert titles(client_of(bob).get(URL, {"q": target.reference.lower()})) == ["Fleet workshop"]


def test_sort_by_title(client_of, bob, register):
    assert titles(client_of(bob).get(URL, {"sort": "title"})) == [
        "Arson taskforce",
        "Fleet workshop",
        "Southam station",
    ]


def test_bad_filter_values_are_ignored_with_the_form_showing_the_error(client_of, bob, register):
    response = client_of(bob).get(URL, {"status": "nonsense", "lead": "abc", "page": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(titles(response)) == 3


def test_pagination(client_of, bob, make_opportunity):
    for index in range(30):
        make_opportunity(title=f"Opportunity {index:02d}")
    client = client_of(bob)
    assert len(titles(client.get(URL))) == 25
    second = client.get(URL, {"page": 2})
    assert len(titles(second)) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_person_of_another_board_sees_none_of_this_boards_register(client_of, charlie, register):
    response = client_of(charlie).get(URL)
    assert response.status_code == 200
    assert titles(response) == []


def test_executive_sees_only_what_was_referred_to_their_body(
    client_of, erin, referred, make_opportunity
):
    make_opportunity(title="Not referred")
    assert titles(client_of(erin).get(URL)) == [referred.opportunity.title]


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")


def test_register_queries_do_not_grow_with_rows(
    client_of, bob, make_opportunity, police, fire, django_assert_max_num_queries
):
    client = client_of(bob)
    client.get(URL)
    for index in range(3):
        make_opportunity(title=f"Small {index}", participating=[police, fire])
    with django_assert_max_num_queries(20) as small:
        client.get(URL)
    for index in range(40):
        make_opportunity(title=f"Large {index}", participating=[police, fire])
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert len(titles(response)) == 25
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_deep_page_shows_the_same_rows_as_the_plain_query(
    client_of, bob, make_opportunity, monkeypatch
):
    from opportunities import views

    for index in range(30):
        make_opportunity(title=f"Deep {index:02d}")
    client = client_of(bob)
    plain = titles(client.get(URL, {"page": 2, "sort": "title"}))
    monkeypatch.setattr(views, "DEEP_PAGE_OFFSET", 0)  # every page found by ids first
    assert titles(client.get(URL, {"page": 2, "sort": "title"})) == plain
    assert len(plain) == 5


@pytest.mark.parametrize("text", ["²", "BLC-²", "BLC-٣"])
def test_searching_for_a_non_ascii_digit_is_not_an_error(client_of, bob, opportunity, text):
    response = client_of(bob).get(URL, {"q": text})
    assert response.status_code == 200


# --- the kept count ---------------------------------------------------------------------------


def count_shown(response) -> int:
    return response.context["page"].paginator.count


def test_a_kept_count_is_never_shown_to_someone_who_sees_other_rows(
    client_of, bob, charlie, register
):
    assert count_shown(client_of(bob).get(URL)) == 3
    # Charlie's board has none of them: the same page, the same filters, another count.
    response = client_of(charlie).get(URL)
    assert count_shown(response) == 0
    assert "Southam station" not in response.content.decode()
    assert count_shown(client_of(bob).get(URL)) == 3


def test_the_count_follows_a_change_at_once(client_of, bob, register):
    client = client_of(bob)
    filtered = {"status": Status.IN_DELIVERY}
    assert count_shown(client.get(URL, filtered)) == 2
    # A queryset update (no model signal) still moves the register's data version.
    Opportunity.objects.filter(title="Arson taskforce").update(status=Status.IN_DELIVERY)
    assert count_shown(client.get(URL, filtered)) == 3
    Opportunity.objects.filter(title="Southam station").update(title="Southam hub")
    assert count_shown(client.get(URL, {"q": "Southam"})) == 1
    assert titles(client.get(URL, {"q": "Southam"})) == ["Southam hub"]


def test_the_data_version_starts_again_when_its_table_is_emptied(client_of, bob, register):
    from opportunities.models import DataVersion

    # A flushed test database (TRUNCATE of every table) leaves no version row behind.
    DataVersion.objects.all().delete()
    assert count_shown(client_of(bob).get(URL)) == 3
    assert DataVersion.objects.filter(name="register").exists()
    Opportunity.objects.filter(title="Southam station").update(title="Southam hub")
    assert titles(client_of(bob).get(URL, {"q": "Southam"})) == ["Southam hub"]

"""The register of what the board considered and did not pursue, with reasons: its page and
CSV for the board, its date to revisit feeding the review reminders, and its public page when
the board publishes it."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from opportunities import services
from opportunities.models import Opportunity, Status
from opportunities.review_reminders import review_reminders_send
from publicsite import services as public_services

pytestmark = pytest.mark.django_db


def withdraw(opportunity, alice, reason="The lease fell through", revisit_on=None):
    services.opportunity_transition(
        opportunity=opportunity,
        actor=alice,
        to=Status.WITHDRAWN,
        reason=reason,
        revisit_on=revisit_on,
    )
    return opportunity


def url(board):
    return reverse("not_pursued", kwargs={"slug": board.slug})


def csv_url(board):
    return reverse("not_pursued_export_csv", kwargs={"slug": board.slug})


@pytest.fixture
def set_aside(make_opportunity, alice):
    revisit = timezone.localdate() + timedelta(days=200)
    return withdraw(make_opportunity(title="Joint fleet workshop"), alice, revisit_on=revisit)


def test_members_see_why_and_when_to_revisit(client_of, board, bob, set_aside, make_opportunity):
    make_opportunity(title="Still proposed")
    page = client_of(bob).get(url(board))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Joint fleet workshop" in body and "The lease fell through" in body
    assert f"{set_aside.revisit_on:%-d %B %Y}" in body
    assert "Still proposed" not in body


def test_the_csv_holds_each_entry_with_its_reason_and_revisit_date(
    client_of, board, alice, set_aside
):
    response = client_of(alice).get(csv_url(board))
    assert response.status_code == 200
    marking, *rows = csv.reader(
        io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
    )
    assert marking == ["Handling marking: OFFICIAL"]
    assert rows[0][:2] == ["Reference", "Title"]
    assert rows[1][1] == "Joint fleet workshop"
    assert rows[1][6] == "The lease fell through"
    assert rows[1][7] == set_aside.revisit_on.isoformat()


def test_closing_after_a_refusal_joins_the_register(client_of, board, alice, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.NOT_APPROVED)
    opportunity.refresh_from_db()
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.CLOSED, reason="Two bodies declined"
    )
    assert "Two bodies declined" in client_of(alice).get(url(board)).content.decode()


def test_the_register_is_refused_to_those_without_a_role_on_the_board(
    client, client_of, board, erin, charlie, set_aside
):
    assert client_of(erin).get(url(board)).status_code == 404
    assert client_of(charlie).get(url(board)).status_code == 404
    assert client_of(charlie).get(csv_url(board)).status_code == 404
    client.logout()
    assert client.get(url(board))["Location"].startswith("/sign-in/")


def test_register_queries_do_not_grow_with_entries(
    client_of, board, bob, alice, make_opportunity, django_assert_max_num_queries
):
    def add(count):
        for index in range(count):
            withdraw(make_opportunity(title=f"Idea {index}"), alice, reason=f"Reason {index}")

    client = client_of(bob)
    client.get(url(board))  # the first request of a session does more work
    add(2)
    with django_assert_max_num_queries(20) as small:
        client.get(url(board))
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url(board))
    assert len(response.context["page"].object_list) == 22
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_revisit_date_feeds_the_review_reminders(
    make_opportunity, alice, django_capture_on_commit_callbacks
):
    opportunity = withdraw(make_opportunity(), alice, revisit_on=date(2027, 6, 1))
    with (
        time_machine.travel(date(2027, 5, 25)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert review_reminders_send() == 1
    notice = Notification.objects.get(recipient=alice, kind=Notification.Kind.REVIEW_DUE)
    assert "the date to revisit" in notice.subject
    assert str(opportunity.pk) in notice.event_key


# --- the public page --------------------------------------------------------------------------


def public_url(board):
    return reverse("public_not_pursued", kwargs={"slug": board.slug})


def test_the_public_page_appears_only_when_the_board_publishes_it(client, board, alice, set_aside):
    public_services.board_public_pages_set(board=board, actor=alice, enabled=True, summary="")
    assert client.get(public_url(board)).status_code == 404
    public_services.board_public_pages_set(
        board=board, actor=alice, enabled=True, summary="", not_pursued=True
    )
    response = client.get(public_url(board))
    assert response.status_code == 200
    assert "The lease fell through" in response.content.decode()
    public_services.board_public_pages_set(
        board=board, actor=alice, enabled=False, summary="", not_pursued=True
    )
    assert client.get(public_url(board)).status_code == 404


def test_the_chair_publishes_it_from_the_public_pages_form(client_of, client, board, dave):
    response = client_of(dave).post(
        reverse("public_pages_edit", kwargs={"slug": board.slug}),
        {"public_pages_enabled": "on", "public_not_pursued": "on", "public_summary": ""},
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.public_not_pursued


def test_the_csv_is_refused_to_an_executive_without_a_board_role_and_anonymous(
    client, client_of, board, erin, set_aside
):
    assert client_of(erin).get(csv_url(board)).status_code == 404
    client.logout()
    assert client.get(csv_url(board))["Location"].startswith("/sign-in/")

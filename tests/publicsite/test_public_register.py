"""The register of approved collaborations: what every body approved, with each body's decision,
and nothing internal."""

import pytest
from django.urls import reverse

from opportunities.models import Opportunity, Referral, Status
from tests.opportunities.helpers import decide, referral_for

from .conftest import leaks

pytestmark = pytest.mark.django_db


def register_url(board) -> str:
    return reverse("public_register", args=[board.slug])


def titles(response) -> set[str]:
    return {opportunity.title for opportunity in response.context["opportunities"]}


def test_the_register_shows_approved_in_delivery_implemented_and_closed_after_approval(
    client, public_board, register
):
    response = client.get(register_url(public_board))
    assert response.status_code == 200
    assert titles(response) == {
        "Shared station at Southam",
        "Joint control room",
        "Shared fleet workshop",
        "Arson reduction campaign",
    }


@pytest.mark.parametrize(
    "status",
    [
        Status.PROPOSED,
        Status.UNDER_ASSESSMENT,
        Status.RECOMMENDED,
        Status.AWAITING_DECISIONS,
        Status.NOT_APPROVED,
        Status.ON_HOLD,
        Status.WITHDRAWN,
        "closed_refused",
    ],
)
def test_what_was_not_approved_never_appears(client, public_board, register, status):
    body = client.get(register_url(public_board)).content.decode()
    assert register[status].title not in body
    assert register[status].reference not in body


def test_each_bodys_decision_and_its_date_are_shown_but_nothing_internal(
    client, public_board, register, police, fire
):
    body = client.get(register_url(public_board)).content.decode()
    approved = register[Status.APPROVED]
    decided_on = approved.recommendations.get().referrals.first().decided_at
    assert approved.reference in body
    assert "Co-locate the two stations in one building." in body  # the summary
    assert "Estates and shared premises" in body  # the theme
    assert "Approved with conditions" in body
    assert f"{decided_on:%-d %B %Y}" in body
    assert police.executive_body in body and fire.executive_body in body
    assert leaks(body) == []  # no notes, references, wording, risks, costs or e-mails


def test_another_boards_collaborations_never_appear(
    client, public_board, register, other_board_business
):
    body = client.get(register_url(public_board)).content.decode()
    assert "Wombat" not in body


def test_an_opportunity_joins_the_register_when_the_last_body_approves(
    client, public_board, referred, police, fire, council, erin, pat, cara
):
    opportunity = referred.opportunity
    decide(referral_for(referred, police), pat)
    decide(referral_for(referred, fire), erin)
    assert opportunity.title not in client.get(register_url(public_board)).content.decode()
    decide(referral_for(referred, council), cara, outcome=Referral.Status.APPROVED_WITH_CONDITIONS)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.APPROVED
    body = client.get(register_url(public_board)).content.decode()
    assert opportunity.title in body
    assert "Noted." not in body  # the decisions' internal notes
    assert "REF/1" in body  # their references are published


def test_the_register_is_paginated(client, public_board, make_opportunity):
    for n in range(23):
        opportunity = make_opportunity(title=f"Approved scheme {n:02d}")
        Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.IN_DELIVERY)
    first = client.get(register_url(public_board))
    second = client.get(register_url(public_board), {"page": 2})
    assert len(titles(first)) == 20 and len(titles(second)) == 3
    assert "23 approved collaborations." in first.content.decode()
    assert client.get(register_url(public_board), {"page": "nonsense"}).status_code == 200


def test_an_empty_register_says_so(client, public_board):
    body = client.get(register_url(public_board)).content.decode()
    assert "No collaborations have been approved yet." in body


def test_the_register_does_not_grow_in_queries_with_collaborations(
    client, public_board, make_opportunity, decided, police, fire, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            decided(
                make_opportunity(title=f"Scheme {n}"),
                Status.IMPLEMENTED,
                {police: Referral.Status.APPROVED, fire: Referral.Status.APPROVED},
            )

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(register_url(public_board)).status_code == 200
        return len(captured.captured_queries)

    add(2)
    count()  # the first visit reads what every later one finds kept
    add(1)  # a change: the page is built again, as after any other
    small = count()
    add(15)
    assert count() == small


# --- the kept register ------------------------------------------------------------------------


def test_the_register_is_kept_between_visitors_and_read_again_after_any_change(
    client, public_board, register, police, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = register_url(public_board)
    first = titles(client.get(url))
    with CaptureQueriesContext(connection) as kept:
        assert titles(client.get(url)) == first
    assert not any("opportunities_referral" in query["sql"] for query in kept)
    # Withdrawn by a queryset update (no model signal): gone at once.
    shown = register[Status.IN_DELIVERY]
    Opportunity.objects.filter(pk=shown.pk).update(status=Status.WITHDRAWN)
    assert shown.title not in titles(client.get(url))


@pytest.mark.parametrize(
    "change",
    ["the recommendation marked sensitive", "a body's decision reversed", "the body renamed"],
)
def test_a_change_behind_the_register_shows_on_the_next_visit(
    client, public_board, register, police, change
):
    from boards.models import Organisation
    from core.markings import Level

    url = register_url(public_board)
    shown = register[Status.APPROVED]
    assert shown.title in titles(client.get(url))
    recommendation = shown.recommendations.get()
    if change == "the recommendation marked sensitive":
        type(recommendation).objects.filter(pk=recommendation.pk).update(
            marking=Level.OFFICIAL_SENSITIVE
        )
        assert shown.title not in titles(client.get(url))
    elif change == "a body's decision reversed":
        recommendation.referrals.filter(organisation=police).update(status=Referral.Status.DECLINED)
        body = client.get(url).content.decode()
        approved_row = body[body.index(shown.title) :][:3000]
        assert "Declined" in approved_row or "declined" in approved_row
    else:
        Organisation.objects.filter(pk=police.pk).update(name="Renamed Constabulary")
        assert "Renamed Constabulary" in client.get(url).content.decode()

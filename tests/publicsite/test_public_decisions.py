"""The public decision register: each body's decision notice with its reference, conditions and
date; never the internal notes; a fixed number of queries whatever the number of decisions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Board
from opportunities.models import Milestone, Referral, Status

from .conftest import leaks

pytestmark = pytest.mark.django_db


def decisions_url(board) -> str:
    return reverse("public_decisions", args=[board.slug])


def test_the_register_lists_each_bodys_decision_with_reference_and_date(
    client, public_board, register, fire
):
    body = client.get(decisions_url(public_board)).content.decode()
    approved = register[Status.APPROVED]
    referral = approved.recommendations.get().referrals.get(organisation=fire)
    assert approved.title in body
    assert referral.decision_reference in body
    assert f"{timezone.localdate(referral.decided_at):%-d %B %Y}" in body
    assert "Approved with conditions" in body
    assert leaks(body) == []


def test_a_decision_notice_shows_conditions_reasons_and_who_decided_but_not_the_notes(
    client, public_board, register, fire
):
    referral = register[Status.IN_DELIVERY].recommendations.get().referrals.get(organisation=fire)
    Referral.objects.filter(pk=referral.pk).update(
        reasons="Fits the estates strategy.",
        decision_maker="Cllr Jo Webb",
        decision_forum="Cabinet",
    )
    url = reverse("public_decision", args=[public_board.slug, referral.pk])
    body = client.get(url).content.decode()
    assert "Subject to a joint risk assessment." in body  # the conditions
    assert "Fits the estates strategy." in body
    assert "Cllr Jo Webb, Cabinet" in body
    assert referral.decision_reference in body
    assert "Heron" not in body  # the internal notes


def test_conditions_kept_only_in_the_notes_are_not_published(client, public_board, register, fire):
    referral = register[Status.APPROVED].recommendations.get().referrals.get(organisation=fire)
    Referral.objects.filter(pk=referral.pk).update(conditions="")
    body = client.get(reverse("public_decision", args=[public_board.slug, referral.pk])).content
    text = body.decode()
    assert "Set out in the body's own record of the decision" in text
    assert "Heron" not in text


def test_a_decision_of_a_body_not_yet_decided_or_refused_is_not_found(
    client, public_board, register
):
    for key in (Status.AWAITING_DECISIONS, Status.NOT_APPROVED, "closed_refused"):
        for referral in Referral.objects.filter(recommendation__opportunity=register[key]):
            url = reverse("public_decision", args=[public_board.slug, referral.pk])
            response = client.get(url)
            assert response.status_code == 404
            assert "There is no published decision" in response.content.decode()


def test_a_superseded_recommendations_decisions_leave_the_register(client, public_board, register):
    approved = register[Status.APPROVED]
    recommendation = approved.recommendations.get()
    recommendation.superseded_at = timezone.now()
    recommendation.save(update_fields=["superseded_at"])
    body = client.get(decisions_url(public_board)).content.decode()
    for referral in recommendation.referrals.all():
        assert f"/decisions/{referral.pk}/" not in body


def test_another_boards_decision_is_not_found_here(
    client, public_board, register, other_board_business
):
    referral = Referral.objects.filter(recommendation__opportunity=register[Status.APPROVED])[0]
    other = Board.objects.get(slug="elsewhere")
    url = reverse("public_decision", args=[other.slug, referral.pk])
    assert client.get(url).status_code == 404


def test_the_decision_register_is_switched_off_with_the_pages(client, board, register):
    response = client.get(decisions_url(board))
    assert response.status_code == 404
    assert "public pages are switched off" in response.content.decode()


def test_the_decision_register_does_not_grow_in_queries_with_decisions(
    client, public_board, make_opportunity, decided, police, fire, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            decided(
                make_opportunity(title=f"Scheme {n}"),
                Status.APPROVED,
                {police: Referral.Status.APPROVED, fire: Referral.Status.APPROVED},
            )

    def count() -> int:
        with django_assert_max_num_queries(15) as captured:
            assert client.get(decisions_url(public_board)).status_code == 200
        return len(captured.captured_queries)

    add(2)
    count()  # the first visit reads what every later one finds kept
    add(1)  # a change: the page is built again, as after any other
    small = count()
    add(12)
    assert count() == small


def test_the_register_with_milestones_does_not_grow_in_queries(
    client,
    public_board,
    make_opportunity,
    decided,
    police,
    fire,
    alice,
    django_assert_max_num_queries,
):
    def add(count):
        for n in range(count):
            opportunity = decided(
                make_opportunity(title=f"Scheme {n}"),
                Status.IN_DELIVERY,
                {police: Referral.Status.APPROVED, fire: Referral.Status.APPROVED},
            )
            for step in range(3):
                Milestone.objects.create(
                    opportunity=opportunity,
                    title=f"Step {step}",
                    due_on=timezone.localdate() + timedelta(days=step),
                    percent_complete=step * 30,
                    created_by=alice,
                )

    def count() -> int:
        url = reverse("public_register", args=[public_board.slug])
        with django_assert_max_num_queries(20) as captured:
            body = client.get(url).content.decode()
        assert "Delivery: 30% complete" in body
        return len(captured.captured_queries)

    add(2)
    count()  # the first visit reads what every later one finds kept
    add(1)  # a change: the page is built again, as after any other
    small = count()
    add(12)
    assert count() == small


def test_a_collaboration_page_shows_its_milestones_and_progress(
    client, public_board, register, alice
):
    opportunity = register[Status.IN_DELIVERY]
    for title, percent in [("Site chosen", 100), ("Building works", 20)]:
        Milestone.objects.create(
            opportunity=opportunity,
            title=title,
            due_on=timezone.localdate(),
            percent_complete=percent,
            created_by=alice,
        )
    url = reverse("public_collaboration", args=[public_board.slug, opportunity.pk])
    body = client.get(url).content.decode()
    assert "Site chosen" in body and "Building works" in body
    assert "Delivery: 60% complete" in body
    assert 'value="60" max="100"' in body
    assert leaks(body) == []


def test_a_collaboration_that_is_not_approved_has_no_public_page(client, public_board, register):
    for key in (Status.PROPOSED, Status.AWAITING_DECISIONS, Status.NOT_APPROVED):
        url = reverse("public_collaboration", args=[public_board.slug, register[key].pk])
        response = client.get(url)
        assert response.status_code == 404
        assert "There is no approved collaboration" in response.content.decode()

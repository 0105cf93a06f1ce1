"""The opportunity's page: review position, review history and the benefits per body."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opportunities.models import Opportunity
from opportunities.review_services import BodyBenefit, benefit_estimates_set, review_record

pytestmark = pytest.mark.django_db


def review(opportunity, actor, days_ago, amounts, conclusion="On track."):
    today = timezone.localdate()
    return review_record(
        opportunity=opportunity,
        actor=actor,
        held_on=today - timedelta(days=days_ago),
        conclusion=conclusion,
        rag="amber",
        next_review_on=today + timedelta(days=90),
        benefits=[BodyBenefit(body, Decimal(amount), note) for body, amount, note in amounts],
    )


def test_the_page_shows_history_newest_first_and_benefits_per_body(
    client_of, bob, alice, owen, in_delivery, police, fire, council
):
    benefit_estimates_set(
        opportunity=in_delivery,
        actor=alice,
        period_end=timezone.localdate() + timedelta(days=365),
        estimates=[BodyBenefit(police, Decimal("50000"), "Disposal"), BodyBenefit(fire, 20000)],
    )
    review(in_delivery, owen, 200, [(police, 10000, "Rates stopped"), (fire, 2500, "")], "First")
    review(in_delivery, alice, 20, [(police, 12500, ""), (council, 1000, "Grounds")], "Second")
    body = client_of(bob).get(in_delivery.get_absolute_url()).content.decode()
    assert body.index("Second") < body.index("First")
    for text in [
        "Next review due",
        "Recorded by Owen Oakes",
        "Recorded by Alice Archer",
        "£50,000",  # Police estimate
        "£22,500",  # Police realised to date
        "£2,500",  # Fire realised
        "Not estimated",  # the council
        "£70,000",  # all bodies' estimates
        "£26,000",  # all realised
        "Rates stopped",
        "Grounds",
    ]:
        assert text in body, text
    assert "Record a review" not in body  # bob is a member without the role


def test_an_overdue_review_is_marked(client_of, bob, in_delivery):
    Opportunity.objects.filter(pk=in_delivery.pk).update(
        next_review_on=timezone.localdate() - timedelta(days=1)
    )
    body = client_of(bob).get(in_delivery.get_absolute_url()).content.decode()
    assert body.count("Overdue") >= 2  # in the facts and in the review section


def test_detail_queries_do_not_grow_with_reviews(
    client_of, alice, owen, in_delivery, police, fire, council, django_assert_max_num_queries
):
    client = client_of(alice)
    url = in_delivery.get_absolute_url()
    review(in_delivery, owen, 300, [(police, 1, "a"), (fire, 2, "")])
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for days_ago in range(250, 0, -25):
        review(in_delivery, owen, days_ago, [(police, 1, "a"), (fire, 2, "b"), (council, 3, "")])
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(response.context["reviews"]) == 11
    assert len(large.captured_queries) == len(small.captured_queries)

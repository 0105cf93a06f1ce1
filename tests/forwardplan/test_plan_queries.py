"""The forward plan pages read the same number of queries whatever the number of decisions on
them (no query per row): counted at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boards.models import Board
from forwardplan import services
from forwardplan.models import PublishedPlan
from opportunities import services as register
from opportunities.models import Status

SLUG = "warwickshire"


@pytest.fixture
def grow(make_opportunity, record, alice, police, fire, police_forum, fire_forum, meeting_of, plan):
    """``grow(n)``: n more recommendations to Police and Fire, each planned (Fire's in private)
    at its own meeting, plus one referral left unplanned; and the plan published."""
    board = police_forum.organisation.boards.get()

    def add(count: int) -> None:
        for number in range(count):
            opportunity = make_opportunity(title=f"Opportunity {number}")
            register.opportunity_transition(
                opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
            )
            recommendation = record(opportunity, [police, fire])
            referrals = {r.organisation_id: r for r in recommendation.referrals.all()}
            plan(referrals[police.pk], meeting_of(police_forum, 10 + number), key=True)
            if number % 2:
                plan(
                    referrals[fire.pk],
                    meeting_of(fire_forum, 12 + number),
                    private=True,
                    paragraph=3,
                )
        services.plan_publish(board=board, actor=alice)

    return add


def _count(client, url) -> int:
    # Once before counting: the first visit makes the person's feed address, once ever.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pages(police):
    version = PublishedPlan.objects.order_by("-pk").first()
    return [
        reverse("forward_plan", args=[SLUG]),
        reverse("forward_plan_body", args=[SLUG, police.pk]),
        reverse("published_plans", args=[SLUG]),
        reverse("published_plan", args=[SLUG, version.pk]),
        reverse("forum_list", args=[SLUG]),
        reverse("forward_plan_csv", args=[SLUG]),
        reverse("forward_plan_xlsx", args=[SLUG]),
        reverse("public_forward_plan", args=[SLUG]),
    ]


def test_the_plan_pages_do_not_grow_with_their_rows(client_of, alice, police, grow, board):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    client = client_of(alice)
    grow(2)
    small = [_count(client, url) for url in _pages(police)]
    grow(5)
    large = [_count(client, url) for url in _pages(police)]
    assert large == small


def test_the_feed_does_not_grow_with_its_rows(client, alice, grow):
    feed = services.plan_feed_of(person=alice)
    url = reverse("plan_feed", args=[feed.token])
    grow(2)
    small = _count(client, url)
    grow(5)
    assert _count(client, url) == small

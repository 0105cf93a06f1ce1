"""A member searches for "arson", opens the opportunity and reads its review history; an
anonymous visitor opens the board's public register of approved collaborations."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boards.models import Board
from opportunities import review_services, services
from opportunities.models import Rag, Status
from opportunities.review_services import BodyBenefit
from tests.e2e.journeys import sign_in
from tests.opportunities.helpers import decide, referral_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def taskforce(board, alice, make_opportunity, record, police, fire, erin, pat):
    """Approved by Police and Fire, in delivery, with one review held yesterday."""
    opportunity = make_opportunity(
        title="Joint arson reduction taskforce",
        summary="Joint patrols of deliberate fire hot spots.",
        participating=[police, fire],
    )
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    recommendation = record(opportunity, [police, fire], wording="A joint arson taskforce.")
    services.recommendation_send(recommendation=recommendation, actor=alice)
    decide(referral_for(recommendation, police), pat, reference="CCOG/2026/4")
    decide(referral_for(recommendation, fire), erin, reference="FRA/2026/9")
    opportunity.refresh_from_db()
    services.opportunity_transition(opportunity=opportunity, actor=alice, to=Status.IN_DELIVERY)
    today = timezone.localdate()
    review_services.review_record(
        opportunity=opportunity,
        actor=alice,
        held_on=today - timedelta(days=1),
        conclusion="Deliberate fires fell by a fifth in the target wards.",
        rag=Rag.GREEN,
        next_review_on=today + timedelta(days=180),
        benefits=[BodyBenefit(organisation=fire, cashable=Decimal("11500"))],
    )
    return opportunity


def test_a_member_finds_the_arson_taskforce_and_its_reviews_and_the_public_its_approval(
    live_server, page, board, bob, taskforce, make_opportunity
):
    make_opportunity(title="Arson data sharing", summary="Still only proposed.")
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    base = live_server.url

    sign_in(page, base, "bob@fire.example")
    search = page.get_by_role("search").get_by_label("Search the portal")
    search.fill("arson")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=arson"))
    results = page.get_by_role("main")
    assert results.get_by_text("Arson data sharing").count() >= 1
    results.get_by_role(
        "link", name=f"{taskforce.reference} Joint arson reduction taskforce", exact=True
    ).click()
    page.wait_for_url(base + taskforce.get_absolute_url())

    reviews = page.get_by_role("heading", name="Reviews", exact=True)
    assert reviews.is_visible()
    assert page.get_by_text("Deliberate fires fell by a fifth in the target wards.").is_visible()
    assert "11,500" in page.content()
    assert page.console_problems == []

    page.context.clear_cookies()
    page.goto(f"{base}/public/{board.slug}/")
    page.get_by_role("link", name="Approved collaborations", exact=True).click()
    register = page.get_by_role("main")
    assert register.get_by_role("heading", name="Joint arson reduction taskforce").is_visible()
    assert register.get_by_text("Approved").count() >= 2
    assert "Arson data sharing" not in page.content()
    assert page.console_problems == []

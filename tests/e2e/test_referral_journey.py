"""The secretariat records a recommendation for three bodies; each body's executive signs in,
finds it in the inbox and decides; the opportunity shows approved with all three decisions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opportunities import services
from opportunities.models import Status
from tests.e2e.journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_recommendation_to_three_bodies_decided_by_each_executive(
    live_server, page, alice, opportunity, police, fire, council, erin, pat, cara
):
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    base = live_server.url

    sign_in(page, base, "alice@police.example")
    page.goto(base + opportunity.get_absolute_url())
    page.get_by_role("link", name="Record the board's recommendation").click()
    page.get_by_label("Recommendation").fill("The board recommends co-locating the two stations.")
    due = timezone.localdate() + timedelta(days=30)
    page.locator("#id_decision_due_on_0").fill(str(due.day))
    page.locator("#id_decision_due_on_1").fill(str(due.month))
    page.locator("#id_decision_due_on_2").fill(str(due.year))
    page.get_by_label("Warwickshire County Council").check()
    for body in ("Warwickshire Police", "Warwickshire Fire and Rescue Service"):
        assert page.get_by_label(body).is_checked()
    page.get_by_role("button", name="Record the recommendation").click()
    assert "Recommendation v1 is recorded" in page.content()
    page.get_by_role("button", name="Send to the executives").click()
    assert "has been sent to the executives" in page.content()

    for email, reference in [
        ("pat@police.example", "CCOG/2026/1"),
        ("erin@fire.example", "FRA/2026/2"),
        ("cara@council.example", "CAB/2026/3"),
    ]:
        sign_in(page, base, email)
        page.get_by_role("link", name="Referrals to decide", exact=True).click()
        page.get_by_role("link", name=f"{opportunity.reference} {opportunity.title}").click()
        page.get_by_label("Approved", exact=True).check()
        page.get_by_label("Decision reference").fill(reference)
        page.get_by_role("button", name="Record the decision").click()
        assert "is recorded" in page.content()
        assert page.console_problems == []

    sign_in(page, base, "alice@police.example")
    page.goto(base + opportunity.get_absolute_url())
    assert page.locator("h1 + p .status").first.inner_text() == "Approved"
    timeline = page.locator(".timeline").inner_text()
    for reference in ("CCOG/2026/1", "FRA/2026/2", "CAB/2026/3"):
        assert reference in timeline
    assert "Status changed from Awaiting decisions to Approved" in timeline
    assert page.console_problems == []

"""The secretariat records a recommendation for three bodies; each body's executive signs in,
finds it in the inbox and decides; the opportunity shows approved with all three decisions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from boards.models import Organisation
from notifications.models import Notification
from opportunities import services
from opportunities.models import Referral, Status
from tests.e2e.journeys import sign_in
from tests.factories import AuthorityFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

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
    expect(
        page.get_by_role("heading", name="Check recommendation v1 before it is sent")
    ).to_be_visible()
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
        page.get_by_role("button", name="Continue").click()
        assert "before it is recorded" in page.content()
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


def test_a_referral_deferred_answered_decided_on_behalf_declined_and_its_notices(
    live_server, page, alice, bob, opportunity, police, fire, council, erin, pat, cara, board
):
    """The secretariat sends with a paper; the police defer with a question, the secretariat
    answers and the police approve; the secretariat records the council's Cabinet decision on
    its behalf; fire declines, which closes the commissioner's open referral and tells its
    executive; the decision notices download."""
    commissioner = OrganisationFactory(
        name="Office of the Police and Crime Commissioner",
        short_name="OPCC",
        kind=Organisation.Kind.OPCC,
        executive_body="Police and Crime Commissioner",
    )
    board.organisations.add(commissioner)
    olive = UserFactory(full_name="Olive Oakes", email="olive@opcc.example")
    AuthorityFactory(person=olive, organisation=commissioner)
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
    page.get_by_label("Office of the Police and Crime Commissioner").check()
    page.get_by_role("button", name="Record the recommendation").click()
    page.get_by_role("link", name="Add papers to send with version 1").click()
    page.get_by_label("Title of the paper").fill("Business case")
    page.get_by_label("File").set_input_files(
        {"name": "business-case.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add the paper").click()
    assert "“Business case” will be sent with the recommendation." in page.content()
    page.goto(base + opportunity.get_absolute_url())
    page.get_by_role("button", name="Send to the executives").click()
    expect(
        page.get_by_role("heading", name="Check recommendation v1 before it is sent")
    ).to_be_visible()
    page.get_by_role("button", name="Send to the executives").click()
    assert "has been sent to the executives" in page.content()
    by_body = {r.organisation_id: r for r in Referral.objects.all()}

    sign_in(page, base, "pat@police.example")
    page.goto(base + by_body[police.pk].get_absolute_url())
    assert "Business case" in page.content()
    page.get_by_label("Deferred (more information requested)").check()
    page.get_by_label("Decision reference").fill("CCOG/2026/9/D")
    page.get_by_label("Conditions or notes").fill("We need the running costs.")
    page.get_by_role("button", name="Continue").click()
    assert "before it is recorded" in page.content()
    page.get_by_role("button", name="Record the decision").click()
    assert "is recorded" in page.content()
    page.goto(base + by_body[police.pk].get_absolute_url())
    page.get_by_label("Ask a question on this referral").fill("What will the station cost to run?")
    page.get_by_role("button", name="Ask the question").click()
    assert "Your question has been sent" in page.content()

    sign_in(page, base, "alice@police.example")
    page.goto(base + by_body[police.pk].get_record_url())
    page.get_by_label("The secretariat's answer").fill("£42,000 a year, shared equally.")
    page.get_by_role("button", name="Send the answer").click()
    assert "Your answer has been sent" in page.content()

    sign_in(page, base, "pat@police.example")
    page.goto(base + by_body[police.pk].get_absolute_url())
    assert "£42,000 a year, shared equally." in page.content()
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Decision reference").fill("CCOG/2026/10")
    page.get_by_role("button", name="Continue").click()
    assert "before it is recorded" in page.content()
    page.get_by_role("button", name="Record the decision").click()
    assert "is recorded" in page.content()

    sign_in(page, base, "alice@police.example")
    page.goto(base + by_body[council.pk].get_record_url())
    page.get_by_role("link", name="Record the body's decision on its behalf").click()
    page.get_by_label("Taken at").fill("Cabinet")
    taken = timezone.localdate() - timedelta(days=1)
    page.locator("#id_decision_taken_on_0").fill(str(taken.day))
    page.locator("#id_decision_taken_on_1").fill(str(taken.month))
    page.locator("#id_decision_taken_on_2").fill(str(taken.year))
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Decision reference").fill("CAB/2026/31")
    page.get_by_role("button", name="Continue").click()
    assert "before it is recorded on its behalf" in page.content()
    page.get_by_role("button", name="Record the decision on its behalf").click()
    assert "is recorded on its behalf" in page.content()
    assert "Recorded by Alice Archer on behalf of Warwickshire County Council" in page.content()

    sign_in(page, base, "erin@fire.example")
    page.goto(base + by_body[fire.pk].get_absolute_url())
    page.get_by_label("Declined").check()
    page.get_by_label("Decision reference").fill("FRA/2026/4")
    page.get_by_label("Reasons for the decision").fill("The fire station lease runs to 2030.")
    page.get_by_role("button", name="Continue").click()
    assert "before it is recorded" in page.content()
    page.get_by_role("button", name="Record the decision").click()
    assert "is recorded" in page.content()

    closed = Referral.objects.get(pk=by_body[commissioner.pk].pk)
    assert closed.status == Referral.Status.OUTCOME_DECIDED
    assert Notification.objects.filter(
        recipient=olive, kind=Notification.Kind.OUTCOME_KNOWN
    ).exists()
    sign_in(page, base, "olive@opcc.example")
    page.goto(base + closed.get_absolute_url())
    assert "No decision can be recorded on it." in page.content()
    assert page.get_by_role("button", name="Record the decision").count() == 0
    assert page.get_by_role("button", name="Continue").count() == 0

    sign_in(page, base, "bob@fire.example")
    page.goto(base + opportunity.get_absolute_url())
    assert page.locator("h1 + p .status").first.inner_text() == "Not approved"
    for body in (police, council, fire):
        referral = by_body[body.pk]
        page.goto(base + reverse("decision_notice", args=[referral.pk]))
        for _ in range(20):  # the worker builds the PDF just after the decision
            if page.get_by_role("link", name="Download the decision notice (PDF)").count():
                break
            page.wait_for_timeout(500)
            page.reload()
        if body == council:
            assert "on behalf of Warwickshire County Council" in page.content()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the decision notice (PDF)").click()
        assert download.value.suggested_filename.endswith(f"{body.short_name}.pdf")
    assert page.console_problems == []

"""No lost updates in the register: an edit, review or estimates form opened on an older version
of the opportunity is refused with what changed since, and writes nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities import review_services, services
from opportunities.models import Benefit, Review
from opportunities.review_services import BodyBenefit
from tests.opportunities.helpers import opened, opened_estimates
from tests.opportunities.test_opportunity_edit import edit
from tests.opportunities.test_review_record import review_data

pytestmark = pytest.mark.django_db


def edit_url(opportunity):
    return reverse("opportunity_edit", kwargs={"pk": opportunity.pk})


def open_form(client, url):
    """What the page's form carries when opened now: its hidden version."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]["version"].value()


def next_january_15() -> date:
    today = timezone.localdate()
    return date(today.year + 1, 1, 15)


def test_a_stale_edit_of_risks_never_undoes_the_owners_review(client_of, alice, owen, in_delivery):
    """The secretariat opens the edit page; the owner records a review (RAG green, next review
    15 January); the secretariat's save of the risks is refused; RAG and the date stay."""
    in_delivery.owner = owen
    in_delivery.rag = "amber"
    in_delivery.save()
    secretariat = client_of(alice)
    version = open_form(secretariat, edit_url(in_delivery))
    stale = edit(in_delivery, rag="amber", next_review_on=str(in_delivery.next_review_on))
    review_services.review_record(
        opportunity=in_delivery,
        actor=owen,
        held_on=timezone.localdate(),
        conclusion="On track.",
        rag="green",
        next_review_on=next_january_15(),
    )

    response = client_of(alice).post(
        edit_url(in_delivery), {**stale, "risks": "Lease may lapse.", "version": version}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "was changed by someone else after you opened this page" in body
    assert "Owen Oakes" in body and "RAG green" in body
    assert f"next review {next_january_15():%-d %B %Y}" in body
    in_delivery.refresh_from_db()
    assert (in_delivery.rag, in_delivery.next_review_on, in_delivery.risks) == (
        "green",
        next_january_15(),
        "",
    )


def test_an_edit_opened_on_the_current_version_saves(client_of, alice, opportunity):
    client = client_of(alice)
    version = open_form(client, edit_url(opportunity))
    response = client.post(
        edit_url(opportunity), {**edit(opportunity, risks="Lease"), "version": version}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.risks == "Lease"


def test_a_stale_edit_names_the_other_edit_and_its_fields(client_of, alice, bob, opportunity):
    client = client_of(alice)
    version = open_form(client, edit_url(opportunity))
    services.opportunity_update(opportunity=opportunity, actor=alice, title="Joint station")
    response = client.post(
        edit_url(opportunity), {**edit(opportunity, title="Old title kept"), "version": version}
    )
    body = response.content.decode()
    assert "Alice" in body and "title from" in body and "“Joint station”" in body
    opportunity.refresh_from_db()
    assert opportunity.title == "Joint station"


def test_an_edit_without_its_version_is_refused(client_of, alice, opportunity):
    response = client_of(alice).post(edit_url(opportunity), edit(opportunity, risks="Lease"))
    assert "This page is out of date" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.risks == ""


def test_a_stale_review_form_is_refused_after_an_edit_of_the_rag(
    client_of, alice, owen, in_delivery
):
    url = reverse("review_new", kwargs={"pk": in_delivery.pk})
    version = open_form(client_of(owen), url)
    services.opportunity_update(opportunity=in_delivery, actor=alice, rag="red")
    response = client_of(owen).post(url, {**review_data(), "version": version})
    body = response.content.decode()
    assert response.status_code == 200 and "Alice" in body and "RAG rating" in body
    assert not Review.objects.exists()
    in_delivery.refresh_from_db()
    assert in_delivery.rag == "red"
    fresh = client_of(owen).post(url, opened(in_delivery, review_data()))
    assert fresh.status_code == 302 and Review.objects.count() == 1


def test_stale_estimates_are_refused_naming_who_set_the_newer_ones(
    client_of, alice, owen, police, in_delivery
):
    url = reverse("benefit_estimates", kwargs={"pk": in_delivery.pk})
    version = open_form(client_of(owen), url)
    review_services.benefit_estimates_set(
        opportunity=in_delivery,
        actor=alice,
        period_end=timezone.localdate() + timedelta(days=300),
        estimates=[BodyBenefit(organisation=police, cashable=9000)],
    )
    data = _estimates(police, "100")
    response = client_of(owen).post(url, {**data, "version": version})
    body = response.content.decode()
    assert response.status_code == 200 and "Alice" in body and "£9,000" in body
    assert list(Benefit.objects.values_list("cashable", flat=True)) == [9000]
    fresh = client_of(owen).post(url, opened_estimates(in_delivery, data))
    assert fresh.status_code == 302
    assert Benefit.objects.count() == 2


def _estimates(body, cashable):
    return {
        "period_end": (timezone.localdate() + timedelta(days=200)).isoformat(),
        "estimated-TOTAL_FORMS": "1",
        "estimated-INITIAL_FORMS": "1",
        "estimated-MIN_NUM_FORMS": "0",
        "estimated-MAX_NUM_FORMS": "1000",
        "estimated-0-organisation": str(body.pk),
        "estimated-0-cashable": cashable,
        "estimated-0-non_cashable": "",
    }

"""Estimated benefits per body, kept over time: the latest estimate of each body counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from opportunities.models import Benefit, Opportunity, Status
from opportunities.selectors import current_estimates
from tests.opportunities.helpers import opened_estimates

pytestmark = pytest.mark.django_db


def url(opportunity):
    return reverse("benefit_estimates", kwargs={"pk": opportunity.pk})


def estimate_data(*rows, period_end="2028-03-31"):
    data = {
        "period_end": period_end,
        "estimated-TOTAL_FORMS": str(len(rows)),
        "estimated-INITIAL_FORMS": str(len(rows)),
        "estimated-MIN_NUM_FORMS": "0",
        "estimated-MAX_NUM_FORMS": "1000",
    }
    for index, (body, cashable, text) in enumerate(rows):
        data[f"estimated-{index}-organisation"] = str(body.pk)
        data[f"estimated-{index}-cashable"] = cashable
        data[f"estimated-{index}-non_cashable"] = text
    return data


def test_secretariat_sets_estimates_and_a_revision_keeps_the_history(
    client_of, alice, in_delivery, police, fire, council
):
    client = client_of(alice)
    first = estimate_data(
        (police, "110000", "Station disposal"), (fire, "40000", ""), (council, "", "")
    )
    assert client.post(url(in_delivery), opened_estimates(in_delivery, first)).status_code == 302
    Benefit.objects.update(recorded_at=timezone.now() - timedelta(days=30))
    revised = estimate_data(
        (police, "125000", "Better price"), (fire, "40000", ""), (council, "", "")
    )
    assert (
        client.post(url(in_delivery), opened_estimates(in_delivery, revised))["Location"]
        == in_delivery.get_absolute_url()
    )
    rows = Benefit.objects.filter(kind="estimated", organisation=police).order_by("recorded_at")
    assert [row.cashable for row in rows] == [Decimal("110000.00"), Decimal("125000.00")]
    # Fire's unchanged estimate is not written again; the council never had one.
    assert Benefit.objects.filter(kind="estimated", organisation=fire).count() == 1
    assert not Benefit.objects.filter(organisation=council).exists()
    current = current_estimates(in_delivery)
    assert (current[police.pk].cashable, current[fire.pk].cashable) == (125000, 40000)
    assert current[police.pk].period_end == date(2028, 3, 31)
    assert AuditEvent.objects.for_subject(in_delivery).filter(verb="estimated").count() == 2
    page = client.get(url(in_delivery)).content.decode()
    assert "History of the estimates" in page and "£110,000" in page and "£125,000" in page


def test_saving_unchanged_estimates_writes_nothing(client_of, alice, in_delivery, police):
    client = client_of(alice)
    client.post(
        url(in_delivery), opened_estimates(in_delivery, estimate_data((police, "5000", "")))
    )
    response = client.post(
        url(in_delivery),
        opened_estimates(in_delivery, estimate_data((police, "5000", ""))),
        follow=True,
    )
    assert "Nothing changed" in response.content.decode()
    assert Benefit.objects.count() == 1


def test_the_owner_sets_estimates(client_of, owen, in_delivery, police):
    assert (
        client_of(owen)
        .post(url(in_delivery), opened_estimates(in_delivery, estimate_data((police, "1", ""))))
        .status_code
        == 302
    )
    assert Benefit.objects.get().recorded_by == owen


def test_member_without_the_role_may_not(client_of, bob, in_delivery, police):
    client = client_of(bob)
    assert client.get(url(in_delivery)).status_code == 403
    assert (
        client.post(
            url(in_delivery), opened_estimates(in_delivery, estimate_data((police, "1", "")))
        ).status_code
        == 403
    )
    assert not Benefit.objects.exists()
    page = client.get(in_delivery.get_absolute_url()).content.decode()
    assert "Set the estimated benefits" not in page


def test_person_of_another_board_gets_not_found(client_of, charlie, in_delivery, police):
    response = client_of(charlie).post(
        url(in_delivery), opened_estimates(in_delivery, estimate_data((police, "1", "")))
    )
    assert response.status_code == 404
    assert not Benefit.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, in_delivery, police):
    response = client.post(
        url(in_delivery), opened_estimates(in_delivery, estimate_data((police, "1", "")))
    )
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("police", "-1", ""),), "Enter an amount of £0 or more."),
        ((("outsider_org", "10", ""),), "That body does not take part in this opportunity."),
        ((("police", "abc", ""),), "Enter a number."),
    ],
)
def test_bad_estimates_are_errors_in_the_page(
    client_of, alice, in_delivery, request, rows, message
):
    data = estimate_data(*[(request.getfixturevalue(b), c, t) for b, c, t in rows])
    response = client_of(alice).post(url(in_delivery), opened_estimates(in_delivery, data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Benefit.objects.exists()


def test_a_missing_date_is_an_error_in_the_page(client_of, alice, in_delivery, police):
    response = client_of(alice).post(
        url(in_delivery),
        opened_estimates(in_delivery, estimate_data((police, "1", ""), period_end="")),
    )
    assert "Enter a date for “Benefits expected by”" in response.content.decode()


def test_a_closed_opportunity_keeps_its_estimates(client_of, alice, in_delivery, police):
    Opportunity.objects.filter(pk=in_delivery.pk).update(status=Status.CLOSED)
    response = client_of(alice).post(
        url(in_delivery),
        opened_estimates(in_delivery, estimate_data((police, "1", ""))),
        follow=True,
    )
    assert "its estimates are kept as they were" in response.content.decode()
    assert not Benefit.objects.exists()


def test_an_estimate_date_far_off_is_an_error_in_the_page(client_of, alice, in_delivery, police):
    for far in ("9999-12-31", "1900-01-01"):
        response = client_of(alice).post(
            url(in_delivery),
            opened_estimates(in_delivery, estimate_data((police, "1000", ""), period_end=far)),
        )
        assert response.status_code == 200
        assert "Give a date within 10 years of today." in response.content.decode()
    assert not Benefit.objects.exists()


def test_a_line_without_its_body_is_an_error_in_the_page(client_of, alice, in_delivery, police):
    data = estimate_data((police, "1000", ""))
    data["estimated-INITIAL_FORMS"] = "0"
    del data["estimated-0-organisation"]
    response = client_of(alice).post(url(in_delivery), opened_estimates(in_delivery, data))
    assert response.status_code == 200
    assert "That body does not take part" in response.content.decode()
    assert not Benefit.objects.exists()

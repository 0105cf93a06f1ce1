"""Recording a review: who may, what is written, and what is refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from boards.models import BoardMembership, User
from opportunities import review_services
from opportunities.models import Benefit, Opportunity, Review, Status
from opportunities.services import WorkflowError
from tests.opportunities.helpers import opened

pytestmark = pytest.mark.django_db


def url(opportunity):
    return reverse("review_new", kwargs={"pk": opportunity.pk})


def lines(*rows):
    """Formset data: (body, cashable, non-cashable) per line."""
    data = {
        "realised-TOTAL_FORMS": str(len(rows)),
        "realised-INITIAL_FORMS": str(len(rows)),
        "realised-MIN_NUM_FORMS": "0",
        "realised-MAX_NUM_FORMS": "1000",
    }
    for index, (body, cashable, text) in enumerate(rows):
        data[f"realised-{index}-organisation"] = str(body.pk)
        data[f"realised-{index}-cashable"] = cashable
        data[f"realised-{index}-non_cashable"] = text
    return data


def review_data(*rows, **changes):
    today = timezone.localdate()
    data = {
        "held_on": (today - timedelta(days=2)).isoformat(),
        "conclusion": "Works on track; crews moved in.",
        "rag": "green",
        "non_cashable_realised": "Joint briefings every morning.",
        "next_review_on": (today + timedelta(days=180)).isoformat(),
        **lines(*rows),
    }
    data.update(changes)
    return data


@pytest.fixture
def full_data(police, fire, council):
    return review_data(
        (police, "12000", "Station released."),
        (fire, "4500.50", ""),
        (council, "", ""),
    )


def test_secretariat_records_a_review_with_benefits_per_body(
    client_of, alice, in_delivery, full_data, police, fire
):
    response = client_of(alice).post(url(in_delivery), opened(in_delivery, full_data))
    assert response.status_code == 302
    review = Review.objects.get(opportunity=in_delivery)
    today = timezone.localdate()
    assert (review.held_on, review.rag, review.recorded_by) == (
        today - timedelta(days=2),
        "green",
        alice,
    )
    realised = {
        (b.organisation, b.cashable, b.non_cashable, b.period_end, b.kind)
        for b in review.benefits.all()
    }
    assert realised == {
        (police, Decimal("12000.00"), "Station released.", review.held_on, "realised"),
        (fire, Decimal("4500.50"), "", review.held_on, "realised"),
    }  # the council's empty line is not written
    in_delivery.refresh_from_db()
    assert in_delivery.next_review_on == today + timedelta(days=180)
    assert in_delivery.rag == "green"
    event = AuditEvent.objects.for_subject(in_delivery).get(verb="reviewed")
    assert event.actor == alice and "£16,500 cashable realised" in event.summary
    page = client_of(alice).get(in_delivery.get_absolute_url()).content.decode()
    assert "Works on track; crews moved in." in page
    assert "Station released." in page


def test_the_owner_records_a_review(client_of, owen, in_delivery, full_data):
    assert client_of(owen).post(url(in_delivery), opened(in_delivery, full_data)).status_code == 302
    assert Review.objects.get().recorded_by == owen


def test_the_form_offers_a_line_per_body_and_the_owner_sees_the_button(
    client_of, owen, in_delivery
):
    client = client_of(owen)
    form = client.get(url(in_delivery)).content.decode()
    for name in ("Warwickshire Police", "Warwickshire Fire and Rescue Service", "County Council"):
        assert name in form
    assert "Record a review" in client.get(in_delivery.get_absolute_url()).content.decode()


def test_member_without_the_role_may_neither_see_the_form_nor_record(
    client_of, bob, in_delivery, full_data
):
    client = client_of(bob)
    assert client.get(url(in_delivery)).status_code == 403
    assert client.post(url(in_delivery), opened(in_delivery, full_data)).status_code == 403
    assert not Review.objects.exists()
    assert "Record a review" not in client.get(in_delivery.get_absolute_url()).content.decode()


def test_an_owner_who_has_left_the_board_may_not_record(client_of, owen, in_delivery, full_data):
    BoardMembership.objects.filter(person=owen).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert client_of(owen).post(url(in_delivery), opened(in_delivery, full_data)).status_code == 404
    assert not Review.objects.exists()


def test_person_of_another_board_gets_not_found(client_of, charlie, in_delivery, full_data):
    assert (
        client_of(charlie).post(url(in_delivery), opened(in_delivery, full_data)).status_code == 404
    )
    assert not Review.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, in_delivery, full_data):
    response = client.post(url(in_delivery), opened(in_delivery, full_data))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert not Review.objects.exists()


def test_a_proposed_opportunity_cannot_be_reviewed(client_of, alice, opportunity, full_data):
    response = client_of(alice).post(url(opportunity), opened(opportunity, full_data), follow=True)
    assert "reviews are recorded while an opportunity is in delivery" in (response.content.decode())
    assert not Review.objects.exists()


def refused(client, opportunity, data, message):
    response = client.post(url(opportunity), opened(opportunity, data))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with what you entered" in body
    assert message in body, body
    assert not Review.objects.exists()
    assert not Benefit.objects.exists()


def test_the_next_review_must_come_after_the_held_date(client_of, alice, in_delivery, police):
    today = timezone.localdate()
    data = review_data(
        (police, "100", ""),
        held_on=today.isoformat(),
        next_review_on=(today - timedelta(days=1)).isoformat(),
    )
    refused(client_of(alice), in_delivery, data, "The next review must come after this one.")


def test_a_review_cannot_be_held_in_the_future(client_of, alice, in_delivery, police):
    today = timezone.localdate()
    data = review_data((police, "100", ""), held_on=(today + timedelta(days=1)).isoformat())
    refused(client_of(alice), in_delivery, data, "The review cannot have been held in the future.")


def test_negative_pounds_are_refused(client_of, alice, in_delivery, police):
    data = review_data((police, "-5", ""))
    refused(client_of(alice), in_delivery, data, "Enter an amount of £0 or more.")


def test_a_body_not_on_the_opportunity_is_refused(client_of, alice, in_delivery, outsider_org):
    data = review_data((outsider_org, "100", "Not ours"))
    refused(
        client_of(alice),
        in_delivery,
        data,
        "That body does not take part in this opportunity.",
    )


def test_the_same_body_twice_is_refused(client_of, alice, in_delivery, police):
    data = review_data((police, "100", ""), (police, "200", ""))
    refused(client_of(alice), in_delivery, data, "Each body may be given only once.")


def test_the_next_review_is_required_while_in_delivery(client_of, alice, in_delivery, police):
    data = review_data((police, "100", ""), next_review_on="")
    refused(client_of(alice), in_delivery, data, "Enter a date for “Next review”")


def test_missing_formset_data_is_an_error_in_the_page(client_of, alice, in_delivery):
    data = {k: v for k, v in review_data().items() if not k.startswith("realised-")}
    refused(client_of(alice), in_delivery, data, "ManagementForm data is missing")


def test_a_review_earlier_than_the_last_is_refused(client_of, alice, in_delivery, police):
    client = client_of(alice)
    assert (
        client.post(
            url(in_delivery), opened(in_delivery, review_data((police, "1", "")))
        ).status_code
        == 302
    )
    earlier = (timezone.localdate() - timedelta(days=10)).isoformat()
    response = client.post(
        url(in_delivery), opened(in_delivery, review_data((police, "1", ""), held_on=earlier))
    )
    assert response.status_code == 200
    assert "is already recorded" in response.content.decode()
    assert Review.objects.count() == 1


def test_an_implemented_opportunity_may_end_its_reviews(client_of, alice, in_delivery, police):
    Opportunity.objects.filter(pk=in_delivery.pk).update(status=Status.IMPLEMENTED)
    response = client_of(alice).post(
        url(in_delivery), opened(in_delivery, review_data(next_review_on=""))
    )
    assert response.status_code == 302
    in_delivery.refresh_from_db()
    assert in_delivery.next_review_on is None


def test_the_service_refuses_what_the_form_would(in_delivery, alice, police, outsider_org):
    today = timezone.localdate()

    def record(**changes):
        values = {
            "opportunity": in_delivery,
            "actor": alice,
            "held_on": today,
            "conclusion": "x",
            "rag": "amber",
            "next_review_on": today + timedelta(days=30),
            "benefits": [],
            **changes,
        }
        return review_services.review_record(**values)

    BodyBenefit = review_services.BodyBenefit
    for changes, message in [
        ({"held_on": today + timedelta(days=1)}, "before it is held"),
        ({"next_review_on": today}, "must come after"),
        ({"next_review_on": None}, "Give the date of the next review"),
        ({"benefits": [BodyBenefit(outsider_org, Decimal("5"))]}, "does not take part"),
        ({"benefits": [BodyBenefit(police, Decimal("-5"))]}, "£0 or more"),
        ({"rag": "purple"}, "RAG rating"),
    ]:
        with pytest.raises(WorkflowError, match=message):
            record(**changes)
    assert not Review.objects.exists()


def test_the_secretariat_cannot_clear_the_review_date_of_an_opportunity_in_delivery(
    client_of, alice, in_delivery
):
    from tests.opportunities.test_opportunity_edit import edit

    response = client_of(alice).post(
        reverse("opportunity_edit", kwargs={"pk": in_delivery.pk}),
        opened(in_delivery, edit(in_delivery, next_review_on="")),
    )
    assert response.status_code == 200
    assert "keeps a next review date" in response.content.decode()
    in_delivery.refresh_from_db()
    assert in_delivery.next_review_on is not None


def test_the_rule_lets_the_owner_review_only_while_on_the_board(owen, bob, alice, in_delivery):
    from opportunities.permissions import can_review_opportunity

    assert can_review_opportunity(alice, in_delivery)
    assert can_review_opportunity(owen, in_delivery)
    assert not can_review_opportunity(bob, in_delivery)
    BoardMembership.objects.filter(person=owen).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    owen = User.objects.get(pk=owen.pk)  # the next request's person
    assert not can_review_opportunity(owen, in_delivery)


def test_a_changed_line_count_still_records_the_review(client_of, alice, in_delivery):
    from opportunities.selectors import opportunity_bodies

    first = opportunity_bodies(in_delivery)[0]
    data = review_data((first, "", ""))  # the page's first line, left blank...
    data["realised-INITIAL_FORMS"] = "0"  # ...and counted as "extra", as if added
    assert client_of(alice).post(url(in_delivery), opened(in_delivery, data)).status_code == 302
    assert Review.objects.count() == 1 and not Benefit.objects.exists()


def test_a_line_without_its_body_is_an_error_in_the_page(client_of, alice, in_delivery, police):
    data = review_data((police, "100", ""))
    data["realised-INITIAL_FORMS"] = "0"
    del data["realised-0-organisation"]
    refused(client_of(alice), in_delivery, data, "That body does not take part")


def test_a_next_review_years_away_is_refused(client_of, alice, in_delivery, police):
    data = review_data((police, "100", ""), next_review_on="9999-12-31")
    refused(client_of(alice), in_delivery, data, "Give a date within 5 years of today.")

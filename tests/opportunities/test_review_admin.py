from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opportunities.review_services import BodyBenefit, review_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_administrator_reads_reviews_and_benefits_but_cannot_add_or_delete(
    client_of, alice, in_delivery, police
):
    today = timezone.localdate()
    review = review_record(
        opportunity=in_delivery,
        actor=alice,
        held_on=today,
        conclusion="Going well",
        rag="green",
        next_review_on=today + timedelta(days=90),
        benefits=[BodyBenefit(police, Decimal("100"))],
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_of(admin)
    listing = client.get("/admin/opportunities/review/")
    assert listing.status_code == 200 and in_delivery.reference in listing.content.decode()
    page = client.get(f"/admin/opportunities/review/{review.pk}/change/").content.decode()
    assert "Going well" in page
    assert client.get("/admin/opportunities/benefit/").status_code == 200
    assert client.get("/admin/opportunities/review/add/").status_code == 403
    assert client.get(f"/admin/opportunities/review/{review.pk}/delete/").status_code == 403

"""The register's records in the administration site."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from opportunities.models import Opportunity, Referral
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Opportunity, Referral])
def test_recorded_decisions_cannot_be_deleted_in_the_admin(model):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert not admin.site._registry[model].has_delete_permission(request)

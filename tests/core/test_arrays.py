"""Lists of any length reach PostgreSQL as one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Organisation
from core.arrays import among_ids, among_texts
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_ids_and_texts_beyond_the_parameter_limit_are_one_parameter_each():
    bodies = [OrganisationFactory(name=f"Body {n}", short_name=f"B{n}") for n in range(3)]
    many_ids = [body.pk for body in bodies] + list(range(10**6, 10**6 + 70_000))
    many_names = [body.short_name for body in bodies] + [f"X{n}" for n in range(70_000)]
    with CaptureQueriesContext(connection) as queries:
        by_id = set(Organisation.objects.filter(among_ids("pk", many_ids)))
        by_name = set(Organisation.objects.filter(among_texts("short_name", many_names)))
    assert by_id == by_name == set(bodies)
    assert all("unnest" in query["sql"] for query in queries.captured_queries)


def test_empty_lists_match_nothing():
    OrganisationFactory()
    assert not Organisation.objects.filter(among_ids("pk", [])).exists()
    assert not Organisation.objects.filter(among_texts("short_name", [])).exists()

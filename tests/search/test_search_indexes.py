"""The search documents are indexed, and PostgreSQL can use those indexes for the very
expressions the search runs (an expression index is used only for an identical expression)."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

from search.queries import Search, document

pytestmark = pytest.mark.django_db
INDEXES = {
    "search_opportunity_document",
    "search_recommendation_document",
    "search_agenda_item_document",
    "search_minutes_document",
    "search_paper_document",
}


def test_the_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%'")
        assert {name for (name,) in cursor.fetchall()} >= INDEXES


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("opportunity", "search_opportunity_document"),
        ("recommendation", "search_recommendation_document"),
        ("agenda_item", "search_agenda_item_document"),
        ("minutes", "search_minutes_document"),
        ("paper", "search_paper_document"),
    ],
)
def test_each_kinds_document_matches_its_index(alice, kind, index):
    """With table scans ruled out, PostgreSQL reaches for the index only if the searched
    expression is the indexed one; a drift between document() and the migration fails here."""
    search = Search(person=alice, text="station")
    source = search.by_kind[kind]
    every_row = source.rows.model.objects.alias(document=document(source))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = every_row.filter(document=search.query).explain()
    assert f"Bitmap Index Scan on {index}" in plan


def test_the_header_search_box_has_a_label_and_keeps_the_query(rf: RequestFactory):
    request = rf.get("/search/", {"q": "estates"})
    from django.urls import resolve

    request.resolver_match = resolve("/search/")
    html = render_to_string("components/search_form.html", request=request)
    assert 'action="/search/"' in html
    assert '<label class="visually-hidden" for="header-search-q">Search the portal</label>' in html
    assert 'value="estates"' in html

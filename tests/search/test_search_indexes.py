"""The search documents are stored columns with GIN indexes, and the search reads those very
columns: matching through the indexes, counting its pages without ranking."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

from meetings.models import Meeting
from search.queries import Search
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
INDEXES = {
    "opportunity": "opportunity_search_document_gin",
    "recommendation": "recommendation_search_document_gin",
    "agenda_item": "agendaitem_search_document_gin",
    "minutes": "agendaitem_minutes_document_gin",
    "paper": "paper_search_document_gin",
}
EXPRESSION_INDEXES = {
    "search_opportunity_document",
    "search_recommendation_document",
    "search_agenda_item_document",
    "search_minutes_document",
    "search_paper_document",
}


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {name for (name,) in cursor.fetchall()}


def test_each_document_column_has_its_index_and_the_expression_indexes_are_gone():
    names = index_names()
    assert set(INDEXES.values()) <= names
    assert not EXPRESSION_INDEXES & names


@pytest.mark.parametrize(("kind", "index"), INDEXES.items())
def test_each_kinds_match_uses_the_index_of_its_document_column(alice, kind, index):
    """With table scans ruled out, PostgreSQL can answer the match only through an index on the
    very column the search reads; a search reading another column fails here."""
    search = Search(person=alice, text="station")
    source = search.by_kind[kind]
    every_row = source.rows.model.objects.filter(**{source.document: search.query}).order_by()
    with connection.cursor() as cursor:
        # Table scans and plain index scans (walking the primary key, say) ruled out: only a
        # bitmap scan of an index that answers the match itself is left.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = every_row.explain()
    assert f"Bitmap Index Scan on {index}" in plan


def test_the_pages_are_counted_without_ranking(alice):
    search = Search(person=alice, text="station")
    assert "ts_rank" not in search.matches.explain(verbose=True)
    assert "ts_rank" in search.rows.explain(verbose=True)


def test_a_persons_meetings_are_sent_as_one_parameter_however_many(alice, board):
    """Each kind's rows are limited to the meetings the person may see; a thousand meeting ids
    sent one by one cost more than the search itself."""

    def parameters() -> int:
        search = Search(person=alice, text="station")
        _sql, params = search.rows.query.get_compiler(connection=connection).as_sql()
        return len(params)

    MeetingFactory(board=board, created_by=alice, status=Meeting.Status.HELD)
    few = parameters()
    MeetingFactory.create_batch(30, board=board, created_by=alice, status=Meeting.Status.HELD)
    assert parameters() == few


def test_the_header_search_box_has_a_label_and_keeps_the_query(rf: RequestFactory):
    request = rf.get("/search/", {"q": "estates"})
    from django.urls import resolve

    request.resolver_match = resolve("/search/")
    html = render_to_string("components/search_form.html", request=request)
    assert 'action="/search/"' in html
    assert '<label class="visually-hidden" for="header-search-q">Search the portal</label>' in html
    assert 'value="estates"' in html

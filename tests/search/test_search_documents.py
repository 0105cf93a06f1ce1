"""Each record's search document is a column PostgreSQL keeps in step with its text: written on
insert (bulk_create too) and on every update of that text, whatever Django sends for it."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.html import strip_tags

from meetings.models import AgendaItem, Paper
from opportunities.models import Opportunity, Recommendation, Theme
from tests.factories import AgendaItemFactory, PaperFactory

pytestmark = pytest.mark.django_db
URL = reverse("search")


def matching(model, document: str, word: str) -> set[int]:
    query = SearchQuery(word, config="english")
    return set(model.objects.filter(**{document: query}).values_list("pk", flat=True))


def weighted(**weights: str) -> SearchVector:
    parts = [
        SearchVector(name, weight=weight, config="english") for name, weight in weights.items()
    ]
    vector = parts[0]
    for part in parts[1:]:
        vector = vector + part
    return vector


def titles_found(client, text: str) -> list[str]:
    page = client.get(URL, {"q": text}).context["page"]
    return [strip_tags(hit.title) for hit in page.object_list]


@pytest.fixture
def one_of_each(make_opportunity, assessed, record, held):
    """An opportunity, a recommendation, an agenda item with minutes and a paper."""
    item = AgendaItemFactory(meeting=held, title="Plover depot", description="A lapwing survey.")
    item.minutes = "The board noted the plover survey."
    item.save()
    return {
        "opportunity": make_opportunity(title="Plover station", summary="A lapwing pilot."),
        "recommendation": record(assessed, [], wording="Adopt the plover pilot."),
        "agenda_item": item,
        "paper": PaperFactory(meeting=held, agenda_item=item, title="Plover report"),
    }


@pytest.mark.parametrize(
    ("model", "document", "expected"),
    [
        (Opportunity, "search_document", weighted(title="A", summary="B")),
        (Recommendation, "search_document", weighted(wording="B")),
        (AgendaItem, "search_document", weighted(title="A", description="B")),
        (AgendaItem, "minutes_document", weighted(minutes="B")),
        (Paper, "search_document", weighted(title="A")),
    ],
)
def test_each_document_holds_its_weighted_text(one_of_each, model, document, expected):
    rows = model.objects.all()
    assert rows.exists()
    assert rows.filter(**{f"{document}__isnull": True}).count() == 0
    same = rows.annotate(
        stored=Cast(document, TextField()), wanted=Cast(expected, TextField())
    ).filter(stored=F("wanted"))
    assert same.count() == rows.count()


def test_an_opportunity_edited_after_creation_is_found_by_its_new_words(
    client_of, bob, make_opportunity
):
    created = make_opportunity(title="Plover station", summary="A pilot.")
    opportunity = Opportunity.objects.get(pk=created.pk)  # its old document loaded with it
    opportunity.title = "Curlew station"
    opportunity.summary = "A lapwing pilot."
    opportunity.save()
    client = client_of(bob)
    assert titles_found(client, "curlew") == [f"{opportunity.reference} Curlew station"]
    assert titles_found(client, "lapwing") == [f"{opportunity.reference} Curlew station"]
    assert titles_found(client, "plover") == []


@pytest.mark.parametrize(
    ("kind", "model", "document", "column", "old_word"),
    [
        ("opportunity", Opportunity, "search_document", "title", "plover"),
        ("opportunity", Opportunity, "search_document", "summary", "lapwing"),
        ("recommendation", Recommendation, "search_document", "wording", "plover"),
        ("agenda_item", AgendaItem, "search_document", "title", "plover"),
        ("agenda_item", AgendaItem, "search_document", "description", "lapwing"),
        ("agenda_item", AgendaItem, "minutes_document", "minutes", "plover"),
        ("paper", Paper, "search_document", "title", "plover"),
    ],
)
def test_a_queryset_update_of_the_text_renews_the_document(
    one_of_each, kind, model, document, column, old_word
):
    pk = one_of_each[kind].pk
    model.objects.filter(pk=pk).update(**{column: "Curlew roost"})
    assert pk in matching(model, document, "curlew")
    assert pk not in matching(model, document, old_word)


def test_an_update_of_other_columns_keeps_the_document(one_of_each, alice):
    opportunity = one_of_each["opportunity"]
    Opportunity.objects.filter(pk=opportunity.pk).update(owner=alice)
    assert matching(Opportunity, "search_document", "plover") == {opportunity.pk}


def test_emptying_a_document_by_hand_writes_it_again(one_of_each):
    AgendaItem.objects.update(search_document=None, minutes_document=None)
    item = one_of_each["agenda_item"]
    assert matching(AgendaItem, "search_document", "lapwing") == {item.pk}
    assert matching(AgendaItem, "minutes_document", "noted") == {item.pk}


def test_rows_created_with_bulk_create_have_their_documents(board, police, bob, held):
    Opportunity.objects.bulk_create(
        Opportunity(
            board=board,
            title=f"Dunlin hub {index}",
            summary="Shared dunlin rooms.",
            theme=Theme.ESTATES,
            lead_organisation=police,
            proposed_by=bob,
        )
        for index in range(3)
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=held, title="Dunlin report", minutes="Dunlin noted.")]
    )
    assert Opportunity.objects.filter(search_document__isnull=True).count() == 0
    assert len(matching(Opportunity, "search_document", "dunlin")) == 3
    assert len(matching(AgendaItem, "search_document", "dunlin")) == 1
    assert len(matching(AgendaItem, "minutes_document", "dunlin")) == 1

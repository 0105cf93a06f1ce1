"""The portal's search: what each person finds, how it is ranked, and what it never shows."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from meetings.models import Meeting
from opportunities import services
from search import queries
from tests.factories import AgendaItemFactory, MeetingFactory, PaperFactory

pytestmark = pytest.mark.django_db
URL = reverse("search")


def hits(response) -> list[tuple[str, str]]:
    return [(hit.label, strip_tags(hit.title)) for hit in response.context["page"].object_list]


def labels_found(client, text: str) -> set[str]:
    return {label for label, _title in hits(client.get(URL, {"q": text}))}


@pytest.fixture
def business(held):
    """A held meeting with open and exempt business, each with minutes and a paper."""
    open_item = held.items.get()
    open_item.minutes = "The board agreed the kestrel depot survey."
    open_item.save()
    secret = AgendaItemFactory(
        meeting=held,
        title="Sale of the osprey site",
        description="Terms of the osprey site disposal.",
        confidential=True,
        minutes="The buyer offered a falcon sum for the depot.",
    )
    PaperFactory(meeting=held, agenda_item=secret, title="Osprey valuation report")
    PaperFactory(meeting=held, agenda_item=open_item, title="Kestrel survey report")
    return held


# --- who finds what ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL, {"q": "kestrel"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_invited_member_finds_minutes_agenda_items_and_papers(client_of, bob, business):
    client = client_of(bob)
    assert labels_found(client, "kestrel") == {"Minutes", "Paper"}
    assert labels_found(client, "falcon") == {"Minutes"}  # bob is invited: exempt business too
    assert labels_found(client, "osprey") == {"Agenda item", "Paper"}


def test_minutes_lead_to_their_item_on_the_meeting_page(client_of, bob, business):
    client = client_of(bob)
    (minutes,) = [
        hit
        for hit in client.get(URL, {"q": "kestrel"}).context["page"].object_list
        if hit.label == "Minutes"
    ]
    item = business.items.get(title=strip_tags(minutes.title).removeprefix("Minutes of “")[:-1])
    assert minutes.url == f"{business.get_absolute_url()}#item-{item.pk}"
    assert f'id="item-{item.pk}"' in client.get(business.get_absolute_url()).content.decode()


def test_confidential_minutes_are_never_found_by_a_member_not_entitled_to_them(
    client_of, frank, business
):
    client = client_of(frank)
    assert labels_found(client, "kestrel") == {"Minutes"}  # open minutes, but no papers
    assert labels_found(client, "falcon") == set()
    assert labels_found(client, "osprey") == set()


def test_a_guest_sees_open_papers_but_no_exempt_business(client_of, erin, business):
    client = client_of(erin)
    assert labels_found(client, "kestrel") == {"Minutes", "Paper"}
    assert labels_found(client, "falcon osprey") == set()
    assert labels_found(client, "falcon") == set()
    assert labels_found(client, "osprey") == set()


def test_a_member_of_another_board_finds_nothing_of_this_board(client_of, charlie, business):
    client = client_of(charlie)
    for text in ("kestrel", "falcon", "osprey", "Shared estates"):
        response = client.get(URL, {"q": text})
        assert response.status_code == 200
        assert hits(response) == []


def test_the_secretariat_finds_exempt_business(client_of, alice, business):
    assert labels_found(client_of(alice), "falcon") == {"Minutes"}


def test_a_draft_meeting_is_found_only_by_the_secretariat_and_chair(
    client_of, board, alice, bob, dave
):
    draft = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.DRAFT)
    AgendaItemFactory(meeting=draft, title="Heron estate options")
    assert labels_found(client_of(bob), "heron") == set()
    assert labels_found(client_of(alice), "heron") == {"Agenda item"}
    assert labels_found(client_of(dave), "heron") == {"Agenda item"}


def test_papers_are_found_only_once_published(client_of, meeting, alice, bob):
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    from tests.meetings.helpers import invite_board

    invite_board(meeting, alice, bob)
    PaperFactory(meeting=meeting, title="Merlin fleet paper")
    assert labels_found(client_of(bob), "merlin") == set()
    assert labels_found(client_of(alice), "merlin") == {"Paper"}
    meeting.status = Meeting.Status.PAPERS_PUBLISHED
    meeting.save()
    assert labels_found(client_of(bob), "merlin") == {"Paper"}


def test_opportunities_and_recommendations_of_the_board_are_found(
    client_of, bob, charlie, referred
):
    opportunity = referred.opportunity
    client = client_of(bob)
    response = client.get(URL, {"q": "station"})
    assert ("Opportunity", f"{opportunity.reference} Shared fire and police station") in hits(
        response
    )
    assert labels_found(client, "do it") == set()  # "do it" is all stop words
    assert labels_found(client_of(charlie), "station") == set()


def test_an_executive_finds_the_opportunity_referred_to_their_body(
    client_of, erin, referred, make_opportunity
):
    make_opportunity(title="Shared station workshop, not referred")
    found = hits(client_of(erin).get(URL, {"q": "station"}))
    assert found == [
        ("Opportunity", f"{referred.opportunity.reference} Shared fire and police station")
    ]


def test_a_recommendation_is_found_by_its_wording(client_of, bob, assessed, record):
    record(assessed, [], wording="Pilot the shared gazebo for twelve months.")
    assert labels_found(client_of(bob), "gazebo") == {"Recommendation"}


def test_an_opportunity_is_found_by_its_reference(client_of, bob, make_opportunity):
    target = make_opportunity(title="Joint workshop")
    make_opportunity(title="Something else")
    found = hits(client_of(bob).get(URL, {"q": target.reference.lower()}))
    assert found[0] == ("Opportunity", f"{target.reference} Joint workshop")


# --- ranking, snippets and safety ---------------------------------------------------------------


def test_a_title_match_outranks_a_match_in_the_body_only(client_of, bob, make_opportunity):
    make_opportunity(
        title="Joint training", summary="Train crews at the kingfisher centre, kingfisher kit."
    )
    make_opportunity(title="Kingfisher centre", summary="Shared training rooms.")
    found = hits(client_of(bob).get(URL, {"q": "kingfisher"}))
    assert [title.split(" ", 1)[1] for _label, title in found] == [
        "Kingfisher centre",
        "Joint training",
    ]


def test_results_from_every_kind_are_ranked_together(client_of, alice, business, make_opportunity):
    make_opportunity(title="Kestrel depot", summary="Shared depot.")
    found = hits(client_of(alice).get(URL, {"q": "kestrel"}))
    assert found[0][0] in {"Opportunity", "Paper"}  # title matches first
    assert found[-1][0] == "Minutes"


def test_matches_are_marked_in_the_snippet(client_of, bob, make_opportunity):
    make_opportunity(title="Joint training", summary="Crews train at the wren centre together.")
    body = client_of(bob).get(URL, {"q": "wren"}).content.decode()
    assert "<mark>wren</mark>" in body


def test_markup_in_a_title_or_body_is_shown_as_text_never_run(client_of, bob, make_opportunity):
    make_opportunity(
        title="<script>alert('t')</script> Robin hub",
        summary="<img src=x onerror=alert(1)> robin <b>bold</b>",
    )
    body = client_of(bob).get(URL, {"q": "robin"}).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in body
    assert "<b>bold" not in body
    assert "onerror=alert(1)&gt; <mark>robin</mark>" in body  # text kept, escaped
    assert "<mark>Robin</mark>" in body


def test_markers_typed_into_the_text_cannot_make_tags(client_of, bob, make_opportunity):
    make_opportunity(title="Sparrow hlStartSel hub", summary="StartSel=<x> sparrow")
    body = client_of(bob).get(URL, {"q": "sparrow"}).content.decode()
    assert "<x>" not in body


# --- bad input ----------------------------------------------------------------------------------


def test_the_page_without_a_query_shows_only_the_form(client_of, bob):
    response = client_of(bob).get(URL)
    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert '<label class="form-label" for="id_q">Search the portal</label>' in body
    assert "There is a problem" not in body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a word, a phrase or a reference"),
        ("   ", "Type a word, a phrase or a reference"),
        ("x" * 201, "A search can be at most 200 characters long"),
    ],
)
def test_an_empty_or_overlong_query_is_explained(client_of, bob, text, message):
    response = client_of(bob).get(URL, {"q": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page"] is None


def test_a_nul_byte_in_the_query_is_a_bad_request_with_a_sentence(client_of, bob):
    response = client_of(bob).get(URL, {"q": "nul\x00byte"})
    assert response.status_code == 400
    assert "a character that cannot be typed" in response.content.decode()


def test_someone_who_may_see_nothing_gets_no_results_rather_than_an_error(client_of, board):
    from tests.factories import UserFactory

    nobody = UserFactory(email="left.every.board@example.org")
    response = client_of(nobody).get(URL, {"q": "exempt"})
    assert response.status_code == 200


@pytest.mark.parametrize("text", ['"unclosed', "a & | ! b", "-", "or", "BLC-", "(*)"])
def test_query_syntax_never_causes_an_error(client_of, bob, make_opportunity, text):
    make_opportunity()
    assert client_of(bob).get(URL, {"q": text}).status_code == 200


def test_a_bad_page_number_shows_a_page(client_of, bob, make_opportunity):
    make_opportunity()
    for page in ("x", "-1", "9999", "99999999999999999999999"):
        response = client_of(bob).get(URL, {"q": "station", "page": page})
        assert response.status_code == 200
        assert len(hits(response)) == 1


# --- pages and queries ---------------------------------------------------------------------------


def test_results_are_paginated_keeping_the_query(client_of, bob, make_opportunity):
    for index in range(23):
        make_opportunity(title=f"Plover station {index}")
    client = client_of(bob)
    first = client.get(URL, {"q": "plover"})
    assert len(hits(first)) == 20
    assert "q=plover&amp;page=2" in first.content.decode()
    assert len(hits(client.get(URL, {"q": "plover", "page": 2}))) == 3
    beyond = client.get(URL, {"q": "plover", "page": 7})
    assert beyond.context["page"].number == 2
    assert beyond.context["page"].paginator.count == 23
    assert len(hits(beyond)) == 3


def test_a_search_matching_more_than_can_be_ranked_says_so(
    client_of, bob, make_opportunity, monkeypatch
):
    monkeypatch.setattr(queries, "MOST_RANKED", 2)
    for index in range(4):
        make_opportunity(title=f"Plover station {index}")
    client = client_of(bob)
    response = client.get(URL, {"q": "plover"})
    # The first matches of each kind are ranked (two, and one more to tell there are more): the
    # two are shown and counted, the third only tells there are more.
    assert len(hits(response)) == 2
    assert response.context["page"].paginator.count == 2
    body = " ".join(response.content.decode().split())
    assert "More than 2 results for “plover”" in body
    assert "only 2 of each kind are ranked and shown" in body
    # Past the last page, the matches counted on their own are counted alike.
    beyond = client.get(URL, {"q": "plover", "page": 5})
    assert beyond.context["page"].paginator.count == 2
    assert len(hits(beyond)) == 2
    search = queries.Search(person=bob, text="plover")
    assert search.count() == 2
    assert search.page_rows(offset=0, limit=20).total == 2
    narrow = client_of(bob).get(URL, {"q": "plover station 1"})
    assert len(hits(narrow)) == 1
    assert "More than" not in narrow.content.decode()


@pytest.mark.parametrize("full_text", [True, False])
def test_the_pages_count_every_ranked_row_once(
    alice, business, make_opportunity, monkeypatch, full_text
):
    monkeypatch.setattr(queries, "on_postgresql", lambda: full_text)
    target = make_opportunity(title="Kestrel plan", summary="Kestrel nesting boxes.")
    make_opportunity(title="Kestrel watch")
    for text, expected in (("kestrel", 4), (target.reference, 1), ("no such bird", 0)):
        search = queries.Search(person=alice, text=text)
        assert len(search.rows) == expected
        assert search.count() == expected


def test_search_queries_do_not_grow_with_the_results(
    client_of, alice, business, make_opportunity, record, django_assert_max_num_queries
):
    client = client_of(alice)

    def add_one_of_each(index):
        opportunity = make_opportunity(title=f"Kestrel plan {index}")
        services.opportunity_transition(opportunity=opportunity, actor=alice, to="under_assessment")
        record(opportunity, [], wording=f"Adopt kestrel plan {index}.")
        item = AgendaItemFactory(meeting=business, title=f"Kestrel item {index}")
        item.minutes = f"Kestrel minutes {index}"
        item.save()
        PaperFactory(meeting=business, agenda_item=item, title=f"Kestrel paper {index}")

    add_one_of_each(0)
    client.get(URL, {"q": "kestrel"})
    with django_assert_max_num_queries(25) as small:
        client.get(URL, {"q": "kestrel"})
    for index in range(1, 8):
        add_one_of_each(index)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL, {"q": "kestrel"})
    assert response.context["page"].paginator.count > 20
    # One query per kind shown on the page: the small search shows all five kinds, so the large
    # one can need no more.
    assert {hit.kind for hit in response.context["page"].object_list} <= set(queries.HIT_BUILDERS)
    assert len(large.captured_queries) <= len(small.captured_queries)


# --- without PostgreSQL's full-text search ------------------------------------------------------


@pytest.fixture
def plain_search(monkeypatch):
    """The substring search used on SQLite, run here on the test database."""
    monkeypatch.setattr(queries, "on_postgresql", lambda: False)


def test_the_plain_search_finds_substrings_titles_first(
    client_of, bob, make_opportunity, plain_search
):
    make_opportunity(title="Joint training", summary="At the Stoneleigh centre.")
    make_opportunity(title="Stoneleigh hub", summary="Shared rooms.")
    found = hits(client_of(bob).get(URL, {"q": "stonelei"}))
    assert [title.split(" ", 1)[1] for _label, title in found] == [
        "Stoneleigh hub",
        "Joint training",
    ]


def test_the_plain_search_escapes_its_snippets(client_of, bob, make_opportunity, plain_search):
    make_opportunity(title="<script>x</script> Finch", summary="<b>finch</b> & co")
    body = client_of(bob).get(URL, {"q": "finch"}).content.decode()
    assert "<script>x" not in body
    assert "&lt;b&gt;<mark>finch</mark>&lt;/b&gt; &amp; co" in body


def test_the_plain_search_keeps_exempt_minutes_hidden(
    client_of, frank, bob, business, plain_search
):
    assert labels_found(client_of(frank), "falcon") == set()
    assert labels_found(client_of(bob), "falcon") == {"Minutes"}

"""Whole pages kept for the browser session that asked (core/page_cache.py): given back only to
that session, never after any change to the portal's data, never holding a message or an undo
offer, and with the session's time left put back fresh."""

import time

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from boards import sessions
from boards.models import Board, BoardMembership
from core import data_versions, undo
from core.data_versions import PAGES, data_version
from core.page_cache import cached_page
from opportunities.models import Opportunity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("register_list")


@pytest.fixture(autouse=True)
def _pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 60


def kept(response) -> bool:
    return getattr(response, "from_page_cache", False)


def get(client, path=REGISTER, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response


def signed_in(client_of, person):
    """A browser signed in as ``person`` that has been given its CSRF cookie (a page built
    before the browser has one is not kept: its forms' token would match no cookie yet)."""
    browser = client_of(person)
    browser.get(reverse("password_change_done"))
    return browser


def test_a_page_asked_for_again_comes_from_the_cache_and_is_the_same(
    client_of, bob, opportunity, django_assert_max_num_queries
):
    browser = signed_in(client_of, bob)
    first = get(browser)
    assert not kept(first)
    with django_assert_max_num_queries(3):  # the session, the person, the data version
        again = get(browser)
    assert kept(again)
    assert again.content == first.content
    assert opportunity.title in again.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        "saved",
        "updated in bulk",
        "written in SQL",
        "a membership ended",
        "another table entirely",
    ],
)
def test_any_change_to_the_data_is_seen_on_the_very_next_page(
    change, client_of, bob, board, opportunity
):
    browser = signed_in(client_of, bob)
    get(browser)
    if change == "saved":
        opportunity.title = "Shared fleet workshop at Leek Wootton"
        opportunity.save()
    elif change == "updated in bulk":
        Opportunity.objects.filter(pk=opportunity.pk).update(
            title="Shared fleet workshop at Leek Wootton"
        )
    elif change == "written in SQL":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE opportunities_opportunity SET title = %s WHERE id = %s",
                ["Shared fleet workshop at Leek Wootton", opportunity.pk],
            )
    elif change == "a membership ended":
        BoardMembership.objects.filter(person=bob, board=board).delete()
    else:
        UserFactory()
    after = browser.get(REGISTER)
    assert not kept(after)
    if change == "a membership ended":
        assert opportunity.title not in after.content.decode()
    elif change != "another table entirely":
        assert "Shared fleet workshop at Leek Wootton" in after.content.decode()


def test_nobody_is_given_a_page_kept_for_someone_else(client_of, bob, charlie, opportunity):
    bobs = signed_in(client_of, bob)
    seen_by_bob = get(bobs).content.decode()
    assert opportunity.title in seen_by_bob
    charlies = signed_in(client_of, charlie)  # another body, another board
    seen_by_charlie = get(charlies)
    assert not kept(seen_by_charlie)
    assert opportunity.title not in seen_by_charlie.content.decode()
    assert kept(get(bobs))


def test_two_sessions_of_one_person_each_have_their_own_pages(bob, opportunity):
    first, second = Client(), Client()
    for browser in (first, second):
        browser.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
        browser.get(reverse("password_change_done"))
    get(first)
    # The second browser's forms must carry a token its own cookie matches.
    assert not kept(get(second))
    assert kept(get(second))


def test_an_anonymous_visitor_is_never_given_a_signed_in_page(client_of, bob, opportunity):
    get(signed_in(client_of, bob))
    response = Client().get(REGISTER)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_page_with_a_message_is_neither_taken_nor_kept(rf, bob):
    built = []

    @cached_page
    def view(request):
        built.append(request)
        pending = get_messages(request)
        # As the layout does: the messages are read only when there are any.
        shown = " ".join(str(message) for message in pending) if len(pending) else ""
        return HttpResponse(f"<p>{shown}</p>")

    def ask(message=None):
        request = rf.get("/somewhere/")
        request.user = bob
        request.session = session
        request._messages = SessionStorage(request)
        if message:
            request._messages.add(constants.SUCCESS, message)
        response = view(request)
        request._messages.update(response)
        return response

    session = SessionStore()
    session.create()
    ask()
    assert kept(ask())
    assert len(built) == 1
    shown = ask("Your comment has been saved.")
    assert "Your comment has been saved." in shown.content.decode()
    assert not kept(shown)
    assert len(built) == 2
    assert "Your comment has been saved." not in ask().content.decode()


def test_an_undo_offer_is_shown_once_and_never_kept(client_of, bob, opportunity):
    browser = signed_in(client_of, bob)
    get(browser)
    session = browser.session
    session[undo.OFFER] = {"message": "Paper removed.", "url": "/undo/1/", "what": "removing it"}
    session.save()
    offered = get(browser)
    assert not kept(offered)
    assert "Paper removed." in offered.content.decode()
    assert "Paper removed." not in get(browser).content.decode()


def test_the_time_left_in_the_session_is_fresh_on_a_kept_page(client_of, bob, opportunity):
    browser = signed_in(client_of, bob)
    get(browser)
    session = browser.session
    # Activity is noted once a minute: 50 seconds on, the page kept earlier is given back.
    session[sessions.LAST_SEEN_AT] = time.time() - 50
    session.save()
    again = get(browser)
    assert kept(again)
    html = again.content.decode()
    left = int(html.split('data-session-seconds-left="')[1].split('"')[0])
    assert left <= sessions.settings.SESSION_IDLE_TIMEOUT - 50


def test_an_answer_other_than_a_page_is_never_kept(client_of, bob):
    browser = signed_in(client_of, bob)
    assert browser.get(reverse("opportunity_detail", args=[999999])).status_code == 404
    assert browser.get(REGISTER, {"page": "not-a-number"}).status_code in (200, 404)
    missing = browser.get(reverse("opportunity_detail", args=[999999]))
    assert not kept(missing)


def test_a_public_page_is_kept_for_anonymous_visitors(board, opportunity):
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    path = reverse("public_home", args=[board.slug])
    first = Client().get(path)
    assert first.status_code == 200
    again = Client().get(path)
    assert kept(again)
    assert again.content == first.content
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=False)
    assert Client().get(path).status_code == 404


def test_without_a_cache_lifetime_pages_are_always_built(settings, client_of, bob, opportunity):
    settings.PAGE_CACHE_SECONDS = 0
    browser = signed_in(client_of, bob)
    get(browser)
    assert not kept(get(browser))


# --- the pages kept, and the rule they rest on --------------------------------------------------


@pytest.fixture
def kept_pages(board, opportunity):
    """Every page the portal keeps, with who asks for it (the secretariat: alice, a member:
    bob, an executive: erin)."""
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    slug = board.slug
    return [
        ("bob", reverse("password_change_done")),
        ("bob", REGISTER),
        ("bob", reverse("opportunity_detail", args=[opportunity.pk])),
        ("erin", reverse("referral_inbox")),
        ("alice", reverse("home")),
        ("bob", reverse("meeting_list", args=[slug])),
        ("alice", reverse("decision_matrix", args=[slug])),
        ("bob", reverse("notification_list")),
        ("alice", reverse("message_log", args=[slug])),
        ("", reverse("public_register", args=[slug])),
        ("", reverse("public_home", args=[slug])),
        ("", reverse("public_meeting_list", args=[slug])),
        ("bob", reverse("search") + "?q=opportunity"),
        ("bob", reverse("board_dashboard", args=[slug])),
        ("bob", reverse("board_detail", args=[slug])),
        ("bob", reverse("board_reviews", args=[slug])),
        ("alice", reverse("report_list", args=[slug])),
    ]


def test_every_kept_page_is_given_back_while_nothing_changes_and_rebuilt_after_a_change(
    request, client_of, kept_pages, opportunity
):
    for who, path in kept_pages:
        browser = signed_in(client_of, request.getfixturevalue(who)) if who else Client()
        first = browser.get(path)
        assert first.status_code == 200, path
        # Asking for a page writes nothing that would change it: the next ask is a kept page.
        again = browser.get(path)
        assert kept(again), path
        assert again.content == first.content, path
        Opportunity.objects.filter(pk=opportunity.pk).update(title=f"Retitled for {path}")
        assert not kept(browser.get(path)), path


def test_every_table_of_the_portal_moves_the_pages_version():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [data_versions.TRIGGER],
        )
        covered = {row[0] for row in cursor.fetchall()}
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    left_out = {
        table
        for table in tables
        if table not in data_versions.NOT_PAGE_DATA
        and not table.startswith(data_versions.NOT_PAGE_DATA_PREFIXES)
    } - covered
    assert not left_out
    assert "opportunities_opportunity" in covered
    assert "django_session" not in covered


def test_a_write_moves_the_version_and_a_read_does_not(client_of, bob, opportunity):
    browser = signed_in(client_of, bob)
    before = data_version(PAGES)
    get(browser)
    get(browser, reverse("opportunity_detail", args=[opportunity.pk]))
    assert data_version(PAGES) == before
    Opportunity.objects.filter(pk=opportunity.pk).update(title="Moved")
    assert data_version(PAGES) != before


@pytest.mark.django_db(transaction=True)
def test_at_commit_the_version_moves_once_and_only_when_the_writer_commits(board):
    start = data_version(PAGES)
    with transaction.atomic():
        UserFactory.create_batch(3)
        Board.objects.filter(pk=board.pk).update(name="Renamed board")
        # Not yet: a reader elsewhere still sees the old rows, so the old version too.
        assert data_version(PAGES) == start
    moved = data_version(PAGES)
    assert moved != start
    with transaction.atomic():
        Board.objects.filter(pk=board.pk).update(name="Renamed again")
        transaction.set_rollback(True)
    assert data_version(PAGES) == moved

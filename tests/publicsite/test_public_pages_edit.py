"""The chair, vice-chair or secretariat switch the board's public pages on and off."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from boards.models import Board, BoardMembership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def edit_url(board) -> str:
    return reverse("public_pages_edit", args=[board.slug])


def switch(client, board, on: bool, summary: str = ""):
    data = {"public_summary": summary}
    if on:
        data["public_pages_enabled"] = "on"
    return client.post(edit_url(board), data)


def test_the_chair_switches_the_public_pages_on(client_of, dave, board):
    client = client_of(dave)
    assert client.get(edit_url(board)).status_code == 200
    response = switch(client, board, True, "  We find and drive collaboration.  ")
    assert response.status_code == 302 and response["Location"] == board.get_absolute_url()
    board.refresh_from_db()
    assert board.public_pages_enabled
    assert board.public_summary == "We find and drive collaboration."
    event = AuditEvent.objects.for_subject(board).get()
    assert event.actor == dave and event.verb == "public_pages_on"
    assert event.before == {"public_pages_enabled": False, "public_summary": ""}
    page = client.get(response["Location"]).content.decode()
    assert "The board&#x27;s public pages are on." in page
    assert client.get(reverse("public_home", args=[board.slug])).status_code == 200


def test_the_vice_chair_may_switch_them_too(client_of, board, fire):
    person = UserFactory(organisation=fire)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.VICE_CHAIR)
    switch(client_of(person), board, True)
    board.refresh_from_db()
    assert board.public_pages_enabled


def test_the_secretariat_switches_them_off_and_the_pages_go(client_of, alice, public_board):
    client = client_of(alice)
    response = switch(client, public_board, False)
    assert response.status_code == 302
    public_board.refresh_from_db()
    assert not public_board.public_pages_enabled
    assert AuditEvent.objects.for_subject(public_board).get().verb == "public_pages_off"
    client.logout()
    assert client.get(reverse("public_home", args=[public_board.slug])).status_code == 404


def test_changing_only_the_summary_is_recorded_as_such(client_of, alice, public_board):
    switch(client_of(alice), public_board, True, "New words.")
    event = AuditEvent.objects.for_subject(public_board).get()
    assert event.verb == "public_summary_changed"
    assert event.after == {"public_summary": "New words."}


def test_saving_without_a_change_records_nothing(client_of, alice, public_board):
    assert switch(client_of(alice), public_board, True).status_code == 302
    assert not AuditEvent.objects.for_subject(public_board).exists()


def test_a_member_without_the_role_is_refused(client_of, bob, board):
    client = client_of(bob)
    response = client.get(edit_url(board))
    assert response.status_code == 403
    assert "Only the board&#x27;s chair, vice-chair or secretariat" in response.content.decode()
    assert switch(client, board, True).status_code == 403
    board.refresh_from_db()
    assert not board.public_pages_enabled


def test_a_person_of_another_board_gets_not_found(client_of, charlie, board):
    client = client_of(charlie)
    assert client.get(edit_url(board)).status_code == 404
    assert switch(client, board, True).status_code == 404
    board.refresh_from_db()
    assert not board.public_pages_enabled


def test_an_executive_without_a_board_role_gets_not_found(client_of, erin, board):
    assert switch(client_of(erin), board, True).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, board):
    response = switch(client, board, True)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    board.refresh_from_db()
    assert not board.public_pages_enabled


def test_an_unknown_board_is_not_found(client_of, alice):
    assert client_of(alice).get("/boards/no-such-board/public-pages/").status_code == 404


def test_a_summary_too_long_is_a_form_error(client_of, alice, board):
    response = switch(client_of(alice), board, True, "x" * 2001)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with what you entered" in body
    assert "Summary for the public" in body
    board.refresh_from_db()
    assert not board.public_pages_enabled and board.public_summary == ""


def test_the_board_page_offers_the_switch_to_the_chair_and_secretariat_only(
    client_of, alice, bob, dave, board
):
    link = f'href="{edit_url(board)}"'
    assert link in client_of(alice).get(board.get_absolute_url()).content.decode()
    assert link in client_of(dave).get(board.get_absolute_url()).content.decode()
    assert link not in client_of(bob).get(board.get_absolute_url()).content.decode()


def test_the_board_page_says_whether_the_pages_are_on(client_of, bob, board):
    client = client_of(bob)
    assert "Public pages: off." in client.get(board.get_absolute_url()).content.decode()
    Board.objects.filter(pk=board.pk).update(public_pages_enabled=True)
    body = client.get(board.get_absolute_url()).content.decode()
    assert f'href="{reverse("public_home", args=[board.slug])}"' in body

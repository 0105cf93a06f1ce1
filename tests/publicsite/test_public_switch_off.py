"""Public pages answer only when the board has switched them on; they are GET only and say how
long they may be cached."""

import pytest
from django.urls import reverse

from boards.models import Board

pytestmark = pytest.mark.django_db


def every_public_url(board, meeting) -> list[str]:
    return [
        reverse("public_home", args=[board.slug]),
        reverse("public_meeting_list", args=[board.slug]),
        reverse("public_meeting", args=[board.slug, meeting.pk]),
        reverse("public_register", args=[board.slug]),
    ]


def test_every_public_page_is_not_found_when_the_board_has_them_switched_off(
    client, public_board, approved_meeting
):
    Board.objects.filter(pk=public_board.pk).update(public_pages_enabled=False)
    for url in every_public_url(public_board, approved_meeting):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "This board does not publish its pages: its public pages are switched off." in body
        assert "Shared estates review" not in body


def test_every_public_page_answers_when_switched_on(client, public_board, approved_meeting):
    for url in every_public_url(public_board, approved_meeting):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url",
    [
        "/public/no-such-board/",
        "/public/no-such-board/meetings/",
        "/public/no-such-board/meetings/1/",
        "/public/no-such-board/collaborations/",
    ],
)
def test_an_unknown_board_is_not_found_with_a_sentence(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "There is no board at this address." in response.content.decode()


def test_public_pages_refuse_anything_but_reading(client, public_board, approved_meeting):
    for url in every_public_url(public_board, approved_meeting):
        assert client.post(url).status_code == 405, url


def test_anonymous_visitors_get_a_page_shared_caches_may_keep_for_five_minutes(
    client, public_board, approved_meeting
):
    for url in every_public_url(public_board, approved_meeting):
        response = client.get(url)
        assert "public" in response["Cache-Control"], url
        assert "max-age=300" in response["Cache-Control"], url
        assert "Cookie" in response["Vary"], url
        assert not response.cookies, url  # no session or CSRF cookie for a visitor


def test_a_signed_in_persons_copy_is_kept_private(client_of, bob, public_board, approved_meeting):
    client = client_of(bob)
    for url in every_public_url(public_board, approved_meeting):
        response = client.get(url)
        assert "private" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url


def test_public_pages_answer_a_head_request(client, public_board, approved_meeting):
    for url in every_public_url(public_board, approved_meeting):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b"", url

"""Nothing confidential, unapproved, unpublished, internal or of another board reaches a public
page, and no e-mail address does."""

import pytest
from django.urls import reverse

from meetings.models import Meeting

from .conftest import leaks

pytestmark = pytest.mark.django_db


def public_urls(board, meetings) -> list[str]:
    urls = [
        reverse("public_home", args=[board.slug]),
        reverse("public_meeting_list", args=[board.slug]),
        reverse("public_register", args=[board.slug]),
    ]
    for key in ("approved", "drafted", "scheduled", "published", "cancelled"):
        urls.append(reverse("public_meeting", args=[board.slug, meetings[key].pk]))
    return urls


def test_no_public_page_shows_anything_secret_or_an_e_mail_address(
    client, public_board, everything
):
    for url in public_urls(public_board, everything):
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response.content.decode()) == [], url


def test_a_signed_in_member_sees_no_more_on_the_public_pages(
    client_of, bob, public_board, everything
):
    client = client_of(bob)
    for url in public_urls(public_board, everything):
        body = client.get(url).content.decode()
        assert leaks(body.replace(bob.email, "")) == [], url


def test_the_secrets_are_really_in_the_data(client_of, alice, everything):
    """The leak checks above would pass on an empty page: the secretariat sees the secrets."""
    body = client_of(alice).get(everything["approved"].get_absolute_url()).content.decode()
    assert "Zephyr" in body and "Quokka" in body and "Papaya" in body


def test_approved_minutes_show_the_open_items_and_leave_out_the_confidential_one(
    client, public_board, approved_meeting
):
    url = reverse("public_meeting", args=[public_board.slug, approved_meeting.pk])
    body = client.get(url).content.decode()
    assert "Shared estates review" in body
    assert "The board agreed to review the shared estate in Rugby." in body
    assert "Zephyr" not in body and "Quokka" not in body and "Papaya" not in body
    assert "Confidential (exempt) business is not published." in body


def test_the_minutes_pdf_is_linked_once_built_and_part_2_never(
    client, public_board, approved_meeting
):
    Meeting.objects.filter(pk=approved_meeting.pk).update(
        minutes_pdf_state=Meeting.FileState.READY,
        minutes_pdf="minutes/approved.pdf",
        minutes_part2_pdf="minutes/part2.pdf",
    )
    url = reverse("public_meeting", args=[public_board.slug, approved_meeting.pk])
    body = client.get(url).content.decode()
    assert reverse("public_minutes_pdf", args=[public_board.slug, approved_meeting.pk]) in body
    assert f'href="{reverse("minutes_download", args=[approved_meeting.pk])}"' not in body
    assert "part2" not in body


def test_draft_minutes_are_not_shown(client, public_board, drafted_meeting):
    url = reverse("public_meeting", args=[public_board.slug, drafted_meeting.pk])
    body = client.get(url).content.decode()
    assert "Fleet sharing" in body  # the published agenda
    assert "Marmot" not in body
    assert "The minutes will appear here once the chair has approved them." in body


def test_the_agenda_of_a_meeting_whose_papers_are_not_published_is_not_shown(
    client, public_board, scheduled_meeting
):
    url = reverse("public_meeting", args=[public_board.slug, scheduled_meeting.pk])
    body = client.get(url).content.decode()
    assert "Winter meeting" in body
    assert "Narwhal" not in body
    assert "The agenda is published about a week before the meeting." in body


def test_a_published_agenda_leaves_out_confidential_items(client, public_board, published_meeting):
    url = reverse("public_meeting", args=[public_board.slug, published_meeting.pk])
    body = client.get(url).content.decode()
    assert "Joint training centre" in body
    assert "Zephyr" not in body


def test_a_cancelled_meeting_is_shown_as_cancelled_with_its_reason_and_without_its_agenda(
    client, public_board, cancelled_meeting
):
    list_body = client.get(reverse("public_meeting_list", args=[public_board.slug])).content
    assert "Extraordinary meeting" in list_body.decode()
    url = reverse("public_meeting", args=[public_board.slug, cancelled_meeting.pk])
    body = client.get(url).content.decode()
    assert "This meeting was cancelled." in body
    assert "Reason: The chair is unwell; the business moves to the next meeting." in body
    assert "Narwhal" not in body


def test_a_draft_meeting_has_no_public_page(client, public_board, draft_meeting):
    url = reverse("public_meeting", args=[public_board.slug, draft_meeting.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "There is no public meeting of this board at this address." in response.content.decode()


def test_another_boards_meeting_is_not_found_under_this_board(
    client, public_board, other_board_business
):
    meeting = other_board_business.meetings.get()
    response = client.get(reverse("public_meeting", args=[public_board.slug, meeting.pk]))
    assert response.status_code == 404
    assert "Wombat" not in response.content.decode()


def test_a_meeting_that_does_not_exist_is_not_found(client, public_board):
    response = client.get(reverse("public_meeting", args=[public_board.slug, 999999]))
    assert response.status_code == 404

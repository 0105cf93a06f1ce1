"""Who sees which notes: the author their own, everyone who may read the paper the shared ones,
nobody a note on a paper closed to them (exempt business, another board, signed out)."""

import pytest
from django.urls import reverse

from meetings.annotations.models import PaperNote
from meetings.models import Paper
from meetings.permissions import can_view_paper
from meetings.selectors import papers_visible_to

from .conftest import note_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(open_paper, bob):
    return {
        "private": note_on(open_paper, bob, body="Private thought on the options"),
        "shared": note_on(open_paper, bob, shared=True, body="Shared question on the options"),
    }


def people(request, names):
    return {name: request.getfixturevalue(name) for name in names}


@pytest.mark.parametrize(
    "name, sees_private, sees_shared",
    [
        ("bob", True, True),  # the author
        ("owen", False, True),  # another member
        ("dave", False, True),  # the chair
        ("alice", False, True),  # the secretariat
        ("olive", False, True),  # an observer, invited
        ("erin", False, True),  # a guest: the open paper is theirs to read
        ("charlie", False, False),  # a member of another board
    ],
)
def test_private_and_shared_notes_per_role(request, notes, name, sees_private, sees_shared):
    person = request.getfixturevalue(name)
    visible = set(PaperNote.objects.visible_to(person))
    assert (notes["private"] in visible) is sees_private
    assert (notes["shared"] in visible) is sees_shared


@pytest.mark.parametrize(
    "name, sees_private, sees_shared",
    [("bob", True, True), ("owen", False, True), ("charlie", False, False), ("erin", False, True)],
)
def test_the_paper_page_lists_the_notes_each_reader_may_see(
    request, client_of, open_paper, notes, name, sees_private, sees_shared
):
    page = client_of(request.getfixturevalue(name)).get(
        reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk])
    )
    if not sees_shared:
        assert page.status_code == 404
        return
    assert page.status_code == 200
    assert ("Private thought on the options" in page.text) is sees_private
    assert ("Shared question on the options" in page.text) is sees_shared


def test_anonymous_sees_no_notes_and_is_sent_to_sign_in(client, open_paper, notes):
    assert not PaperNote.objects.visible_to(
        type("Anonymous", (), {"is_authenticated": False, "pk": None})()
    ).exists()
    for url in (
        reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk]),
        reverse("paper_notes", args=[open_paper.meeting_id, open_paper.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["erin", "olive"])
def test_notes_on_exempt_papers_are_invisible_to_guests_and_observers(
    request, client_of, exempt_paper, dave, name
):
    shared = note_on(exempt_paper, dave, shared=True, body="The valuation looks low")
    person = request.getfixturevalue(name)
    assert shared not in PaperNote.objects.visible_to(person)
    client = client_of(person)
    meeting = exempt_paper.meeting_id
    assert client.get(reverse("paper_read", args=[meeting, exempt_paper.pk])).status_code == 404
    listed = client.get(reverse("paper_notes", args=[meeting, exempt_paper.pk]))
    assert listed.status_code == 404
    assert (
        "The valuation looks low" not in client.get(reverse("meeting_detail", args=[meeting])).text
    )


def test_members_who_see_exempt_business_see_shared_notes_on_exempt_papers(exempt_paper, dave, bob):
    shared = note_on(exempt_paper, dave, shared=True)
    assert shared in PaperNote.objects.visible_to(bob)


def test_a_guest_admitted_to_the_exempt_item_sees_its_shared_notes(exempt_paper, dave, erin):
    from meetings.models import ExemptItemAdmission

    shared = note_on(exempt_paper, dave, shared=True)
    ExemptItemAdmission.objects.create(
        agenda_item=exempt_paper.agenda_item, person=erin, admitted_by=dave
    )
    assert shared in PaperNote.objects.visible_to(erin)


def test_an_author_who_left_the_board_no_longer_sees_their_own_notes(open_paper, notes, bob):
    from datetime import timedelta

    from django.utils import timezone

    bob.memberships.update(ends_on=timezone.localdate() - timedelta(days=1))
    assert not PaperNote.objects.visible_to(bob).exists()


@pytest.mark.parametrize(
    "name", ["bob", "owen", "dave", "alice", "olive", "erin", "charlie", "frank"]
)
def test_papers_visible_to_agrees_with_the_rule_for_one_paper(
    request, open_paper, exempt_paper, name
):
    person = request.getfixturevalue(name)
    many = set(papers_visible_to(person))
    for paper in Paper.objects.select_related("meeting", "agenda_item"):
        assert (paper in many) is can_view_paper(person, paper), paper

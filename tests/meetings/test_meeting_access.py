"""Every meeting view asks permissions.py: the right person gets in, a board member without
the role is refused (403), a person of another board sees nothing (404), and an anonymous
visitor is sent to sign in. Mutations answer only to POST."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    MeetingFactory,
    PaperFactory,
    pdf_bytes,
)

from .helpers import invite_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(board, alice, bob, dave):
    scheduled = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
    invite_board(scheduled, alice, bob, dave)
    s_item = AgendaItemFactory(meeting=scheduled)
    held = MeetingFactory(
        board=board,
        created_by=alice,
        status=Meeting.Status.HELD,
        starts_at=timezone.now() - timedelta(days=1),
    )
    invite_board(held, alice, bob, dave)
    h_item = AgendaItemFactory(meeting=held)
    paper = PaperFactory(meeting=held, agenda_item=h_item)
    action = ActionFactory(meeting=held, owner=bob)
    held.pack_file.save("pack.pdf", ContentFile(pdf_bytes()), save=False)
    held.minutes_pdf.save("minutes.pdf", ContentFile(pdf_bytes()), save=False)
    held.pack_state = held.minutes_pdf_state = Meeting.FileState.READY
    held.save()
    return {
        "slug": board.slug,
        "S": scheduled.pk,
        "S_item": s_item.pk,
        "H": held.pk,
        "H_item": h_item.pk,
        "paper": paper.pk,
        "action": action.pk,
    }


# (url name, kwargs from the scenario, method, data, right person, person without the right)
VIEWS = [
    ("meeting_list", {"slug": "slug"}, "get", {}, "bob", None),
    ("meeting_create", {"slug": "slug"}, "get", {}, "alice", "bob"),
    ("meeting_detail", {"pk": "S"}, "get", {}, "bob", None),
    ("meeting_edit", {"pk": "S"}, "get", {}, "alice", "bob"),
    ("meeting_transition", {"pk": "S"}, "post", {"to": "papers_published"}, "alice", "bob"),
    ("meeting_transition", {"pk": "H"}, "post", {"to": "minutes_drafted"}, "alice", "dave"),
    ("meeting_cancel", {"pk": "S"}, "get", {}, "alice", "bob"),
    ("invitee_add", {"pk": "S"}, "get", {}, "alice", "bob"),
    ("invitation_reply", {"pk": "S"}, "get", {}, "bob", "frank"),
    ("agenda_item_add", {"pk": "S"}, "get", {}, "alice", "bob"),
    ("agenda_item_edit", {"pk": "S", "item": "S_item"}, "get", {}, "alice", "bob"),
    ("agenda_item_delete", {"pk": "S", "item": "S_item"}, "get", {}, "alice", "bob"),
    (
        "agenda_item_delete",
        {"pk": "S", "item": "S_item"},
        "post",
        {"confirm": "yes"},
        "alice",
        "bob",
    ),
    ("agenda_item_restore", {"pk": "S"}, "post", {}, "alice", "bob"),
    (
        "agenda_item_move",
        {"pk": "S", "item": "S_item"},
        "post",
        {"direction": "up"},
        "alice",
        "bob",
    ),
    ("agenda_sign_off", {"pk": "S"}, "post", {}, "dave", "bob"),
    ("paper_upload", {"pk": "S"}, "get", {}, "alice", "bob"),
    ("paper_new_version", {"pk": "H", "paper": "paper"}, "get", {}, "alice", "bob"),
    ("paper_download", {"pk": "H", "paper": "paper"}, "get", {}, "bob", "frank"),
    ("paper_versions", {"pk": "H", "paper": "paper"}, "get", {}, "bob", "frank"),
    (
        "paper_version_download",
        {"pk": "H", "paper": "paper", "version": 1},
        "get",
        {},
        "bob",
        "frank",
    ),
    ("pack_download", {"pk": "H"}, "get", {}, "bob", "frank"),
    ("pack_state", {"pk": "H"}, "get", {}, "bob", "frank"),
    ("minutes_download", {"pk": "H"}, "get", {}, "bob", None),
    ("attendance_record", {"pk": "H"}, "get", {}, "alice", "bob"),
    ("declaration_add", {"pk": "H"}, "get", {}, "bob", "frank"),
    ("minutes_edit", {"pk": "H", "item": "H_item"}, "get", {}, "alice", "bob"),
    ("action_add", {"pk": "H"}, "get", {}, "alice", "bob"),
    ("action_status", {"pk": "H", "action": "action"}, "post", {"status": "done"}, "bob", "dave"),
    ("meeting_ics", {"pk": "S"}, "get", {}, "bob", None),
]
IDS = [f"{row[0]}-{row[2]}-{next(iter(row[1].values()))}" for row in VIEWS]


def url_of(scenario, name, kwargs):
    return reverse(
        name,
        kwargs={k: (scenario[v] if isinstance(v, str) else v) for k, v in kwargs.items()},
    )


@pytest.fixture
def people(alice, bob, dave, charlie, frank):
    return {"alice": alice, "bob": bob, "dave": dave, "charlie": charlie, "frank": frank}


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "right", "wrong"), VIEWS, ids=IDS)
def test_the_right_person_gets_in(
    client_of, scenario, people, name, kwargs, method, data, right, wrong
):
    response = getattr(client_of(people[right]), method)(url_of(scenario, name, kwargs), data)
    assert response.status_code in (200, 302), response.content[:300]
    if response.status_code == 302:
        assert "/sign-in/" not in response["Location"]


RESTRICTED = [row for row in VIEWS if row[5] is not None]


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "right", "wrong"), RESTRICTED)
def test_a_member_without_the_right_is_refused(
    client_of, scenario, people, name, kwargs, method, data, right, wrong
):
    response = getattr(client_of(people[wrong]), method)(url_of(scenario, name, kwargs), data)
    assert response.status_code in (403, 404)
    assert "Error 40" in response.content.decode()


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "right", "wrong"), VIEWS, ids=IDS)
def test_a_person_of_another_board_sees_nothing(
    client_of, scenario, people, name, kwargs, method, data, right, wrong
):
    response = getattr(client_of(people["charlie"]), method)(url_of(scenario, name, kwargs), data)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "right", "wrong"), VIEWS, ids=IDS)
def test_an_anonymous_visitor_is_sent_to_sign_in(
    client, scenario, name, kwargs, method, data, right, wrong
):
    response = getattr(client, method)(url_of(scenario, name, kwargs), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


# Removing an agenda item asks first on a GET; every other mutation is a POST alone.
ASKS_FIRST = {"agenda_item_delete"}
POSTS = [row for row in VIEWS if row[2] == "post" and row[0] not in ASKS_FIRST]


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "right", "wrong"), POSTS)
def test_mutations_refuse_get(
    client_of, scenario, people, name, kwargs, method, data, right, wrong
):
    response = client_of(people[right]).get(url_of(scenario, name, kwargs))
    assert response.status_code == 405


def test_an_executive_without_a_board_role_cannot_see_a_meeting_she_is_not_invited_to(
    client_of, scenario, erin
):
    response = client_of(erin).get(reverse("meeting_detail", kwargs={"pk": scenario["S"]}))
    assert response.status_code == 404


def test_a_draft_is_seen_only_by_the_secretariat_and_the_chair(
    client_of, meeting, alice, bob, dave
):
    url = reverse("meeting_detail", kwargs={"pk": meeting.pk})
    assert client_of(alice).get(url).status_code == 200
    assert client_of(dave).get(url).status_code == 200
    assert client_of(bob).get(url).status_code == 404

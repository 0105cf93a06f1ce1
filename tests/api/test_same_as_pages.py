"""The API answers what the pages show: for every signed-in endpoint and every role, the ids it
answers with are the ids the corresponding pages list or open for that person; and each public
endpoint answers what its public page shows.

The business: a recommendation referred to the Police, Fire and the council; another board's
opportunity referred to its own body; meetings in each state, one with exempt business, one of
another board; a guest invited to one meeting; an observer of the board.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, BoardMembership
from meetings.models import AgendaItem, Meeting
from meetings.selectors import Withheld
from opportunities import services
from opportunities.models import Opportunity, Referral, Status
from tests.factories import (
    AgendaItemFactory,
    AuthorityFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)
from tests.meetings.helpers import invite_board

ROLES = [
    "anonymous",
    "bob",  # member
    "dave",  # chair
    "alice",  # secretariat
    "pat",  # executive of the Police
    "erin",  # executive of Fire
    "cara",  # executive of the council
    "olive",  # observer
    "gina",  # guest of one meeting
    "charlie",  # of another board
]


@pytest.fixture
def olive(board, fire):
    person = UserFactory(full_name="Olive Owens", organisation=fire)
    MembershipFactory(person=person, board=board, role=BoardMembership.Role.OBSERVER)
    return person


@pytest.fixture
def gina(db):
    return UserFactory(full_name="Gina Grant", organisation=None)


@pytest.fixture
def business(referred, make_opportunity, record, alice, bob, dave, olive, gina, charlie):
    """Everything the roles might or might not see."""
    # Another board's opportunity, referred to its own body.
    elsewhere = Board.objects.get(slug="elsewhere")
    other_body = charlie.organisation
    AuthorityFactory(person=charlie, organisation=other_body)
    theirs = Opportunity.objects.create(
        board=elsewhere,
        title="Wombat collaboration",
        summary="Their business.",
        theme="fleet",
        lead_organisation=other_body,
        proposed_by=charlie,
        status=Status.UNDER_ASSESSMENT,
    )
    theirs.participating_organisations.add(other_body)
    today = timezone.localdate()
    recommendation = services.recommendation_record(
        opportunity=theirs,
        actor=charlie,
        wording="Theirs.",
        agreed_on=today - timedelta(days=1),
        decision_due_on=today + timedelta(days=20),
        organisations=[other_body],
    )
    services.recommendation_send(recommendation=recommendation, actor=charlie)
    # A proposal of this board, and a recommendation recorded but not sent.
    make_opportunity(title="Proposed only")
    unsent = make_opportunity(title="Assessed, recommendation unsent")
    services.opportunity_transition(opportunity=unsent, actor=alice, to=Status.UNDER_ASSESSMENT)
    record(unsent, [unsent.lead_organisation])
    # Meetings: a draft, one with papers published and exempt business (gina a guest), one held
    # last month, and another board's.
    soon = timezone.now() + timedelta(days=10)
    MeetingFactory(
        board=referred.opportunity.board, created_by=alice, title="Draft", starts_at=soon
    )
    published = MeetingFactory(
        board=referred.opportunity.board,
        created_by=alice,
        title="Published",
        starts_at=soon,
        status=Meeting.Status.PAPERS_PUBLISHED,
    )
    AgendaItemFactory(meeting=published, position=1, title="Open item")
    AgendaItemFactory(meeting=published, position=2, title="Exempt item", confidential=True)
    invite_board(published, alice, bob, dave, olive, guests=[gina])
    past = timezone.now() - timedelta(days=30)
    MeetingFactory(
        board=referred.opportunity.board,
        created_by=alice,
        title="Held",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        status=Meeting.Status.HELD,
    )
    MeetingFactory(
        board=elsewhere,
        created_by=charlie,
        title="Their meeting",
        starts_at=soon,
        status=Meeting.Status.SCHEDULED,
    )
    return referred


@pytest.fixture
def cast(business, alice, bob, dave, pat, erin, cara, olive, gina, charlie):
    return {
        "anonymous": None,
        "alice": alice,
        "bob": bob,
        "dave": dave,
        "pat": pat,
        "erin": erin,
        "cara": cara,
        "olive": olive,
        "gina": gina,
        "charlie": charlie,
    }


def _api_ids(person, token_of, path: str) -> set[int] | None:
    """The ids the API answers with (all pages), or None when it refuses."""
    client = Client()
    headers = token_of(person) if person is not None else {}
    ids: set[int] = set()
    url: str | None = f"{path}{'&' if '?' in path else '?'}limit=2"
    while url:
        response = client.get(url, **headers)
        if response.status_code != 200:
            return None
        body = response.json()
        ids |= {row.get("id", row.get("referral")) for row in body["results"]}
        url = body["next"]
    return ids


def _page(client_of, person, name: str, *args):
    if person is None:
        return Client().get(reverse(name, args=args))
    return client_of(person).get(reverse(name, args=args))


def _opened(client_of, person, name: str, pks) -> set[int]:
    return {pk for pk in pks if _page(client_of, person, name, pk).status_code == 200}


@pytest.mark.parametrize("role", ROLES)
def test_the_register_answers_the_opportunities_whose_pages_open(role, cast, client_of, token_of):
    person = cast[role]
    opened = _opened(
        client_of, person, "opportunity_detail", Opportunity.objects.values_list("pk", flat=True)
    )
    answered = _api_ids(person, token_of, "/api/register")
    if person is None:
        assert answered is None and opened == set()
        return
    assert answered == opened
    listed = _page(client_of, person, "register_list")
    assert {o.pk for o in listed.context["page"].object_list} == answered


@pytest.mark.parametrize("role", ROLES)
def test_recommendations_are_those_the_opportunities_pages_show(role, cast, client_of, token_of):
    person = cast[role]
    shown: set[int] = set()
    for pk in Opportunity.objects.values_list("pk", flat=True):
        response = _page(client_of, person, "opportunity_detail", pk)
        if response.status_code == 200:
            shown |= {r.pk for r in response.context["recommendations"]}
    answered = _api_ids(person, token_of, "/api/recommendations")
    assert answered == (None if person is None else shown)
    if person is not None and role not in ("gina", "charlie"):
        assert shown, "the board's people and executives see recommendations"


@pytest.mark.parametrize("role", ROLES)
def test_referrals_are_those_whose_record_opens(role, cast, client_of, token_of):
    person = cast[role]
    pks = list(Referral.objects.values_list("pk", flat=True))
    opened = _opened(client_of, person, "referral_record", pks)
    answered = _api_ids(person, token_of, "/api/referrals")
    assert answered == (None if person is None else opened)
    for pk in pks:
        one = Client().get(f"/api/referrals/{pk}", **(token_of(person) if person else {}))
        assert (one.status_code == 200) == (pk in opened)


@pytest.mark.parametrize("role", ROLES)
def test_referrals_awaiting_are_the_inbox(role, cast, client_of, token_of):
    person = cast[role]
    inbox = _page(client_of, person, "referral_inbox")
    answered = _api_ids(person, token_of, "/api/referrals?awaiting=true")
    if inbox.status_code != 200:
        assert answered is None
        return
    assert answered == {r.pk for r in inbox.context["awaiting"]}
    assert answered, "each executive has a referral awaiting their body"


@pytest.mark.parametrize("role", ROLES)
def test_decisions_are_those_whose_record_opens(role, cast, client_of, token_of, pat):
    referral = Referral.objects.filter(
        recommendation__opportunity__title="Shared fire and police station",
        organisation__short_name="Police",
    ).get()
    services.referral_decide(
        referral=referral,
        actor=pat,
        outcome=Referral.Status.APPROVED,
        reference="CC/1",
        notes="",
        seen_revision=referral.revision,
    )
    person = cast[role]
    decided = Referral.objects.filter(status__in=Referral.DECISIONS).values_list("pk", flat=True)
    opened = _opened(client_of, person, "referral_record", decided)
    answered = _api_ids(person, token_of, "/api/decisions")
    assert answered == (None if person is None else opened)


def _agenda_titles(items) -> list[str]:
    return [str(item) if isinstance(item, Withheld) else item.title for item in items]


@pytest.mark.parametrize("role", ROLES)
def test_meetings_are_those_whose_page_opens_with_the_same_agenda(role, cast, client_of, token_of):
    person = cast[role]
    opened = {}
    for meeting in Meeting.objects.all():
        response = _page(client_of, person, "meeting_detail", meeting.pk)
        if response.status_code == 200:
            opened[meeting.pk] = _agenda_titles(response.context["items"])
    answered = _api_ids(person, token_of, "/api/meetings")
    assert answered == (None if person is None else set(opened))
    for pk, titles in opened.items():
        body = Client().get(f"/api/meetings/{pk}", **token_of(person)).json()
        assert [item["title"] for item in body["items"]] == titles
    hidden = Meeting.objects.exclude(pk__in=opened).values_list("pk", flat=True)
    for pk in hidden:
        headers = token_of(person) if person else {}
        assert Client().get(f"/api/meetings/{pk}", **headers).status_code in (401, 404)


def test_the_roles_see_different_things(cast, client_of, token_of):
    """The comparison is not vacuous: the exempt item is withheld from the observer and the
    guest, shown to the member, and the guest sees one meeting only."""
    published = Meeting.objects.get(title="Published")
    exempt = AgendaItem.objects.get(title="Exempt item")
    as_bob = Client().get(f"/api/meetings/{published.pk}", **token_of(cast["bob"])).json()
    as_olive = Client().get(f"/api/meetings/{published.pk}", **token_of(cast["olive"])).json()
    assert "Exempt item" in [i["title"] for i in as_bob["items"]]
    assert "Exempt item" not in [i["title"] for i in as_olive["items"]]
    assert exempt.title not in str(as_olive)
    assert _api_ids(cast["gina"], token_of, "/api/meetings") == {published.pk}
    assert _api_ids(cast["charlie"], token_of, "/api/register") == set(
        Opportunity.objects.filter(board__slug="elsewhere").values_list("pk", flat=True)
    )


# --- the public endpoints -----------------------------------------------------------------------


@pytest.fixture
def public_business(
    public_board,
    approved_meeting,
    drafted_meeting,
    scheduled_meeting,
    published_meeting,
    draft_meeting,
    cancelled_meeting,
    other_board_business,
    register,
):
    return public_board


def _public_ids(path: str) -> set[int] | None:
    return _api_ids(None, None, path)


def test_public_meetings_are_the_public_pages(public_business, client):
    page = client.get(reverse("public_meeting_list", args=["warwickshire"]))
    shown = {m.pk for m in page.context["upcoming"]} | {m.pk for m in page.context["past"]}
    assert _public_ids("/api/public/warwickshire/meetings") == shown
    for pk in shown:
        detail = client.get(reverse("public_meeting", args=["warwickshire", pk]))
        titles = [
            f"Item {i.number}: {i.label}" if i.withheld else i.title
            for i in (detail.context["items"] if detail.context["agenda_is_public"] else [])
        ]
        body = Client().get(f"/api/public/warwickshire/meetings/{pk}").json()
        assert [item["title"] for item in body["items"]] == titles


def test_public_register_and_not_pursued_are_the_public_pages(public_business, client):
    page = client.get(reverse("public_register", args=["warwickshire"]))
    assert _public_ids("/api/public/warwickshire/register") == {
        o.pk for o in page.context["opportunities"]
    }
    Board.objects.filter(slug="warwickshire").update(public_not_pursued=True)
    Opportunity.objects.filter(title__startswith="Walrus").update(
        not_pursued_on=timezone.localdate(), not_pursued_reason="No money."
    )
    page = client.get(reverse("public_not_pursued", args=["warwickshire"]))
    shown = {o.pk for o in page.context["page"].object_list}
    assert shown and _public_ids("/api/public/warwickshire/not-pursued") == shown


def test_public_answers_hold_no_secret(public_business):
    from tests.publicsite.conftest import leaks

    client = Client()
    for path in ("meetings", "register", "not-pursued"):
        assert (
            leaks(client.get(f"/api/public/warwickshire/{path}?limit=100").content.decode()) == []
        )
    for meeting in Meeting.objects.filter(board__slug="warwickshire"):
        answer = client.get(f"/api/public/warwickshire/meetings/{meeting.pk}")
        assert leaks(answer.content.decode()) == []


def test_public_endpoints_follow_the_switch(public_business, client):
    Board.objects.filter(slug="warwickshire").update(public_pages_enabled=False)
    for path in ("meetings", "register", "not-pursued"):
        answer = Client().get(f"/api/public/warwickshire/{path}")
        assert answer.status_code == 404
        assert "public pages are switched off" in answer.json()["detail"]
    Board.objects.filter(slug="warwickshire").update(public_pages_enabled=True)
    answer = Client().get("/api/public/warwickshire/not-pursued")
    assert answer.status_code == 404
    assert "does not publish" in answer.json()["detail"]
    assert Client().get("/api/public/nowhere/meetings").status_code == 404

"""Each of the portal's shared rules is written once; here every user of a rule is held equal
to it, for every role and every state that matters, so the users cannot drift apart."""

import itertools
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership
from boards.permissions import boards_of, can_decide_for
from boards.selectors import executives_among, executives_by_organisation, executives_of
from meetings.models import Meeting
from meetings.moves import MOVES
from meetings.permissions import can_view_meeting, may_see_confidential
from meetings.selectors import (
    agenda_items_visible_to,
    feed_meetings,
    meetings_visible_to,
    meetings_with_exempt_business_open_to,
)
from opportunities.models import Opportunity, Recommendation, Referral, Theme
from search.queries import sources_for
from tests.factories import (
    AgendaItemFactory,
    AuthorityFactory,
    BoardFactory,
    MeetingFactory,
    MeetingInvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = BoardMembership.Role


# --- Meetings: one visibility rule --------------------------------------------------------------


@pytest.fixture
def cast_and_meetings(board, alice, bob, dave, charlie):
    """People in every relation to the board, and a meeting in every state on it and on
    another board, each with an open and an exempt item, invited in different ways."""
    other = BoardFactory(name="Another board", slug="another")
    observer = UserFactory(full_name="Olive Observer")
    MembershipFactory(person=observer, board=board, role=Role.OBSERVER)
    former = UserFactory(full_name="Fred Former")
    MembershipFactory(person=former, board=board, ends_on=date(2020, 1, 1))
    guest = UserFactory(full_name="Gail Guest")
    people = [alice, bob, dave, charlie, observer, former, guest]
    meetings = []
    for each_board in (board, other):
        for status in Meeting.Status.values:
            meeting = MeetingFactory(board=each_board, status=status, created_by=alice)
            AgendaItemFactory(meeting=meeting, title="Open item", position=1)
            AgendaItemFactory(meeting=meeting, title="Exempt item", position=2, confidential=True)
            meetings.append(meeting)
            if status in ("draft", "scheduled", "held", "minutes_approved", "cancelled"):
                MeetingInvitationFactory(meeting=meeting, person=bob)
                MeetingInvitationFactory(meeting=meeting, person=former)
                MeetingInvitationFactory(
                    meeting=meeting, person=guest, is_guest=True, organisation=None
                )
            if status in ("papers_published", "minutes_drafted"):
                MeetingInvitationFactory(meeting=meeting, person=observer)
    return people, meetings


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_meeting_queries_match_the_single_meeting_rules_for_every_role_and_state(
    cast_and_meetings,
):
    people, meetings = cast_and_meetings
    for person in people:
        visible = {m.pk for m in meetings if can_view_meeting(person, m)}
        exempt = {m.pk for m in meetings if m.pk in visible and may_see_confidential(person, m)}
        assert ids(meetings_visible_to(person)) == visible, person.full_name
        assert ids(meetings_with_exempt_business_open_to(person)) == exempt, person.full_name
        items = {
            item.pk
            for meeting in meetings
            if meeting.pk in visible
            for item in meeting.items.all()
            if not item.confidential or meeting.pk in exempt
        }
        assert ids(agenda_items_visible_to(person)) == items, person.full_name
        searched = {source.kind: source.rows for source in sources_for(person)}
        assert ids(searched["agenda_item"]) == items, person.full_name
    # The comparison is not empty on either side: people see different things.
    alice, bob, *_, guest = people
    assert ids(meetings_visible_to(alice)) != ids(meetings_visible_to(guest))
    assert ids(meetings_with_exempt_business_open_to(bob))
    assert not ids(meetings_with_exempt_business_open_to(guest))


def test_the_meeting_list_and_the_calendar_feed_show_what_the_rule_allows(
    cast_and_meetings, board, client_of
):
    people, _ = cast_and_meetings
    for person in people:
        response = client_of(person).get(reverse("meeting_list", kwargs={"slug": board.slug}))
        allowed = ids(meetings_visible_to(person).filter(board=board))
        if board not in boards_of(person):
            # The list is a board page; an invitee without a role reaches meetings by invitation.
            assert response.status_code == 404, person.full_name
            continue
        assert response.status_code == 200, person.full_name
        shown = {m.pk for m in response.context["upcoming"]} | {
            m.pk for m in response.context["past"]
        }
        assert shown == allowed, person.full_name
        assert ids(feed_meetings(person)) <= ids(meetings_visible_to(person))


def test_the_meeting_page_shows_exempt_business_exactly_where_the_rule_allows(
    cast_and_meetings, client_of
):
    people, meetings = cast_and_meetings
    for person in people:
        exempt = ids(meetings_with_exempt_business_open_to(person))
        for meeting in meetings:
            response = client_of(person).get(meeting.get_absolute_url())
            if not can_view_meeting(person, meeting):
                assert response.status_code == 404
                continue
            body = response.content.decode()
            assert "Open item" in body
            assert ("Exempt item" in body) == (meeting.pk in exempt), (person, meeting)
            # The declaration form names the items one may declare an interest in.
            form = client_of(person).get(reverse("declaration_add", args=[meeting.pk]))
            if form.status_code == 200:
                shown = "Exempt item" in form.content.decode()
                assert shown == (meeting.pk in exempt), (person, meeting)
        # Search finds exempt items exactly where the person may see exempt business.
        found = client_of(person).get(reverse("search"), {"q": "exempt"}).content.decode()
        exempt_items = {
            item.pk
            for meeting in meetings
            for item in meeting.items.all()
            if item.confidential and meeting.pk in exempt
        }
        hits = {
            item.pk
            for meeting in meetings
            for item in meeting.items.all()
            if item.confidential and f"#item-{item.pk}" in found
        }
        assert hits == exempt_items, person.full_name


# --- The register: approved by every body --------------------------------------------------------


STATUSES = list(Referral.Status.values)


def test_approved_by_every_body_agrees_with_outcome_of_on_every_mix_of_decisions(
    board, alice, police, fire, council
):
    opportunity = Opportunity.objects.create(
        board=board,
        title="Shared estates",
        summary="Share buildings.",
        theme=Theme.ESTATES,
        lead_organisation=police,
        proposed_by=alice,
    )
    bodies = [police, fire, council]
    today = timezone.localdate()
    mixes = [()]
    for size in (1, 2, 3):
        mixes += list(itertools.product(STATUSES, repeat=size))
    for version, mix in enumerate(mixes, start=1):
        recommendation = Recommendation.objects.create(
            opportunity=opportunity,
            version=version,
            wording="Do it.",
            agreed_on=today,
            decision_due_on=today + timedelta(days=28),
            recorded_by=alice,
            sent_at=timezone.now(),
        )
        Referral.objects.bulk_create(
            Referral(
                recommendation=recommendation,
                organisation=body,
                status=status,
                due_on=today,
                sent_at=timezone.now(),
                decided_at=None if status in ("pending", "superseded") else timezone.now(),
            )
            for body, status in zip(bodies, mix, strict=False)
        )
    recommendations = Recommendation.objects.filter(opportunity=opportunity).prefetch_related(
        "referrals"
    )
    expected = {r.pk for r in recommendations if r.outcome_of(r.referrals.all()) == "approved"}
    assert ids(Recommendation.objects.approved_by_every_body()) == expected
    # Both sides are informative: some mixes approve, most do not.
    assert 0 < len(expected) < len(mixes)


# --- A body's executives -------------------------------------------------------------------------


def test_a_bodys_executives_are_the_people_who_may_decide_for_it(police, fire):
    closed_body = OrganisationFactory(name="Closed body", short_name="CB", active=False)
    today = timezone.localdate()
    people = {
        "current": AuthorityFactory(organisation=police).person,
        "ended": AuthorityFactory(organisation=police, ends_on=today - timedelta(days=1)).person,
        "future": AuthorityFactory(organisation=police, starts_on=today + timedelta(days=2)).person,
        "inactive": AuthorityFactory(
            organisation=fire, person=UserFactory(is_active=False, organisation=fire)
        ).person,
        "fire": AuthorityFactory(organisation=fire).person,
        "closed": AuthorityFactory(organisation=closed_body).person,
    }
    everyone = list(people.values())
    by_body = executives_by_organisation([police.pk, fire.pk, closed_body.pk])
    for body in (police, fire, closed_body):
        deciders = {p.pk for p in everyone if p.is_active and can_decide_for(p, body)}
        assert ids(executives_of(body)) == deciders, body.name
        assert {p.pk for p in by_body.get(body.pk, ())} == deciders, body.name
    assert executives_among(p.pk for p in everyone) == {
        people["current"].pk,
        people["fire"].pk,
    }


# --- Board pages: one refusal behaviour ----------------------------------------------------

BOARD_PAGES = [
    # (URL name, whether a plain member may open it)
    ("board_detail", True),
    ("meeting_list", True),
    ("board_reviews", True),
    ("board_dashboard", True),
    ("report_list", True),
    ("meeting_create", False),
    ("person_invite", False),
    ("decision_matrix", False),
    ("message_log", False),
    ("public_pages_edit", False),
]


@pytest.mark.parametrize(("name", "members_may"), BOARD_PAGES)
def test_every_board_page_refuses_the_same_way(
    client, client_of, board, alice, bob, charlie, name, members_may
):
    url = reverse(name, kwargs={"slug": board.slug})
    assert client_of(alice).get(url).status_code == 200
    assert client_of(bob).get(url).status_code == (200 if members_may else 403)
    # A board one holds no role on is not found, whatever the page.
    outsider = client_of(charlie).get(url)
    assert outsider.status_code == 404
    assert "No board here that you are a member of." in outsider.content.decode()
    missing = reverse(name, kwargs={"slug": "no-such-board"})
    assert client_of(alice).get(missing).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- Meeting moves: the page offers exactly what the request accepts ---------------------------


def test_the_meeting_page_offers_exactly_the_moves_the_request_accepts(
    client_of, board, alice, bob, dave
):
    made = set()
    for status in Meeting.Status.values:
        for person in (alice, bob, dave):
            meeting = MeetingFactory(
                board=board,
                status=status,
                created_by=alice,
                starts_at=timezone.now() - timedelta(hours=2),
                ends_at=timezone.now() - timedelta(hours=1),
                agenda_signed_off_at=timezone.now(),
                agenda_signed_off_by=dave,
            )
            MeetingInvitationFactory(meeting=meeting, person=bob)
            body = client_of(person).get(meeting.get_absolute_url()).content.decode()
            for to, move in MOVES.items():
                offered = f'name="to" value="{to}"' in body or (
                    move.page is not None and reverse(move.page, args=[meeting.pk]) in body
                )
                if move.page is not None:
                    continue  # a move with its own page is checked through that page
                # Confirmed, as from the check page that approving the minutes shows first.
                response = client_of(person).post(
                    reverse("meeting_transition", args=[meeting.pk]), {"to": to, "confirm": "yes"}
                )
                meeting.refresh_from_db()
                moved = meeting.status == to != status
                assert offered == moved, (status, person.full_name, to)
                if moved:
                    made.add((status, to))
                    Meeting.objects.filter(pk=meeting.pk).update(status=status)
                elif can_view_meeting(person, meeting):
                    assert response.status_code in (302, 403)
                else:
                    assert response.status_code == 404
    # Moves were both made and refused: held, drafted and approved minutes here, while
    # scheduling a meeting whose start has passed is neither offered nor accepted.
    assert {("papers_published", "held"), ("minutes_drafted", "minutes_approved")} <= made
    assert ("draft", "scheduled") not in made


def test_the_cancel_page_follows_the_moves_table(client_of, board, alice, bob, dave):
    held = MeetingFactory(board=board, status=Meeting.Status.HELD, created_by=alice)
    MeetingInvitationFactory(meeting=held, person=bob)
    url = reverse("meeting_cancel", args=[held.pk])
    # A held meeting cannot be cancelled: the page sends the secretariat back, saying why.
    response = client_of(alice).get(url, follow=True)
    assert "A meeting that is held cannot be marked cancelled." in response.content.decode()
    # Someone the table does not allow is refused, whatever the meeting's state.
    scheduled = MeetingFactory(board=board, status=Meeting.Status.SCHEDULED, created_by=alice)
    MeetingInvitationFactory(meeting=scheduled, person=bob)
    assert client_of(bob).get(reverse("meeting_cancel", args=[scheduled.pk])).status_code == 403
    assert client_of(alice).get(reverse("meeting_cancel", args=[scheduled.pk])).status_code == 200


def test_next_steps_appear_only_with_something_to_do(client_of, board, alice, dave):
    held = MeetingFactory(board=board, status=Meeting.Status.HELD, created_by=alice)
    # The chair has no move to make on a held meeting: no empty "Next steps" card.
    assert "Next steps" not in client_of(dave).get(held.get_absolute_url()).content.decode()
    assert "Next steps" in client_of(alice).get(held.get_absolute_url()).content.decode()


# --- Decision records: one rule, for a single referral and for lists ---------------------------


def test_decision_records_listed_are_those_the_single_referral_rule_opens(
    referred, assessed, record, make_opportunity, alice, bob, dave, pat, erin, cara, charlie
):
    from django.contrib.auth.models import AnonymousUser

    from opportunities.permissions import can_view_decision_record, decision_records_visible_to

    # A recommendation recorded but not sent, to the Police only.
    unsent = make_opportunity(title="Not sent yet")
    unsent.status = "under_assessment"
    unsent.save()
    record(unsent, [unsent.lead_organisation])
    referrals = list(
        Referral.objects.select_related("organisation", "recommendation__opportunity__board")
    )
    assert any(r.sent_at is None for r in referrals)
    for person in (alice, bob, dave, pat, erin, cara, charlie, AnonymousUser()):
        listed = set(decision_records_visible_to(person).values_list("pk", flat=True))
        opened = {r.pk for r in referrals if can_view_decision_record(person, r)}
        assert listed == opened, person

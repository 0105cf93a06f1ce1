"""Resolutions and votes: the chair puts a resolution, the clerk records it as agreed by
consensus, a recorded vote or a show of hands; only voting members present without a
disqualifying interest vote; the chair's casting vote settles a tie; a carried resolution to
recommend records the board's recommendation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership
from meetings import services
from meetings.models import (
    AgreedRecommendation,
    DeclarationOfInterest,
    MeetingInvitation,
    Resolution,
    Vote,
)
from meetings.selectors import item_voters
from meetings.services import MeetingRefused, VoteCount
from opportunities.models import Recommendation
from tests.factories import MembershipFactory, UserFactory

from .helpers import invite_board

pytestmark = pytest.mark.django_db
Present = MeetingInvitation.Attendance.PRESENT


@pytest.fixture
def sitting(held, board, police, alice, bob, dave, owen, erin):
    """The held meeting: alice (secretariat), bob, dave (chair), owen, an observer and erin
    (a guest) present; frank-like absentees play no part."""
    observer = UserFactory(full_name="Olly Observer", organisation=police)
    MembershipFactory(
        person=observer, board=board, organisation=police, role=BoardMembership.Role.OBSERVER
    )
    invite_board(held, owen)
    MeetingInvitation.objects.create(
        meeting=held, person=observer, organisation=police, counts_for_quorum=False
    )
    held.invitations.update(attendance=Present)
    return held


@pytest.fixture
def item(sitting):
    return sitting.items.get()


def record(item, actor, **options):
    values = {
        "put_by": options.pop("put_by", actor),
        "wording": "To note the report.",
        "kind": Resolution.Kind.GENERAL,
    }
    values.update(options)
    return services.resolution_record(item=item, actor=actor, **values)


def test_only_voting_members_present_without_a_disqualifying_interest_may_vote(
    sitting, item, alice, bob, dave, owen
):
    DeclarationOfInterest.objects.create(
        meeting=sitting,
        agenda_item=item,
        person=owen,
        nature="Owns the site",
        disqualifying=True,
        recorded_by=alice,
    )
    MeetingInvitation.objects.filter(meeting=sitting, person=dave).update(
        attendance=MeetingInvitation.Attendance.APOLOGIES
    )
    # Not the secretariat, the observer, the guest, the absent chair or the recused owen.
    assert [i.person for i in item_voters(item)] == [bob]


def test_a_recorded_vote_is_totalled_and_each_vote_kept(item, alice, bob, dave, owen):
    resolution = record(
        item,
        alice,
        put_by=dave,
        method=Resolution.Method.RECORDED,
        votes={bob.pk: "for", dave.pk: "against", owen.pk: "for"},
    )
    assert (resolution.votes_for, resolution.votes_against, resolution.abstentions) == (2, 1, 0)
    assert resolution.outcome == Resolution.Outcome.CARRIED
    assert resolution.summary == "Carried: 2 for, 1 against, 0 abstentions"
    assert dict(Vote.objects.values_list("person", "choice")) == {
        bob.pk: "for",
        dave.pk: "against",
        owen.pk: "for",
    }


@pytest.mark.parametrize("who", ["erin", "alice", "observer"])
def test_a_guest_an_officer_or_an_observer_cannot_vote(item, alice, erin, who):
    people = {
        "erin": erin,
        "alice": alice,
        "observer": item.meeting.invitations.get(person__full_name="Olly Observer").person,
    }
    with pytest.raises(MeetingRefused, match="Only voting members present"):
        record(item, alice, method=Resolution.Method.RECORDED, votes={people[who].pk: "for"})
    assert not Resolution.objects.exists()


def test_a_member_with_a_disqualifying_interest_cannot_vote(sitting, item, alice, owen):
    services.declaration_add(
        meeting=sitting,
        person=owen,
        nature="Owns the site",
        recorded_by=alice,
        agenda_item=item,
        disqualifying=True,
    )
    with pytest.raises(MeetingRefused):
        record(item, alice, method=Resolution.Method.RECORDED, votes={owen.pk: "for"})


def test_a_tie_needs_the_chairs_casting_vote(item, alice, bob, dave):
    votes = {bob.pk: "for", dave.pk: "against"}
    with pytest.raises(MeetingRefused, match="tied"):
        record(item, alice, method=Resolution.Method.RECORDED, votes=votes)
    lost = record(
        item, alice, method=Resolution.Method.RECORDED, votes=votes, casting_vote="against"
    )
    assert lost.outcome == Resolution.Outcome.LOST
    carried = record(
        item, alice, method=Resolution.Method.RECORDED, votes=votes, casting_vote="for"
    )
    assert carried.outcome == Resolution.Outcome.CARRIED
    assert carried.summary.endswith("the chair's casting vote for")


def test_no_casting_vote_without_a_tie(item, alice, bob):
    with pytest.raises(MeetingRefused, match="only when the votes are tied"):
        record(
            item,
            alice,
            method=Resolution.Method.RECORDED,
            votes={bob.pk: "for"},
            casting_vote="for",
        )


def test_show_of_hands_totals_cannot_exceed_those_who_may_vote(item, alice):
    # bob, dave and owen may vote: three at most.
    with pytest.raises(MeetingRefused, match="4 votes were counted but only 3 members"):
        record(item, alice, method=Resolution.Method.SHOW_OF_HANDS, totals=VoteCount(3, 1, 0))
    resolution = record(
        item, alice, method=Resolution.Method.SHOW_OF_HANDS, totals=VoteCount(1, 2, 0)
    )
    assert resolution.outcome == Resolution.Outcome.LOST
    assert not Vote.objects.exists()


def test_consensus_is_carried_without_votes(item, alice):
    resolution = record(item, alice, method=Resolution.Method.CONSENSUS)
    assert resolution.summary == "Carried by consensus"


def test_a_resolution_is_refused_before_the_meeting_is_held(published, alice):
    with pytest.raises(MeetingRefused, match="once the meeting is held"):
        record(published.items.get(), alice, method=Resolution.Method.CONSENSUS)


def test_a_carried_resolution_to_recommend_records_the_recommendation(
    sitting, item, alice, bob, dave, assessed, police, fire
):
    item.opportunity = assessed
    item.save()
    resolution = record(
        item,
        alice,
        put_by=dave,
        kind=Resolution.Kind.RECOMMEND,
        wording="To recommend the shared station to both executives.",
        method=Resolution.Method.RECORDED,
        votes={bob.pk: "for", dave.pk: "for"},
        decision_due_on=timezone.localdate() + timedelta(days=30),
        organisations=[police, fire],
    )
    recommendation = Recommendation.objects.get()
    assert resolution.recommendation == recommendation
    assert recommendation.wording == resolution.wording
    assert AgreedRecommendation.objects.get().agenda_item == item
    assert recommendation.agreed_on == timezone.localtime(sitting.starts_at).date()


def test_a_lost_resolution_to_recommend_records_nothing_in_the_register(
    item, alice, bob, dave, assessed
):
    item.opportunity = assessed
    item.save()
    resolution = record(
        item,
        alice,
        kind=Resolution.Kind.RECOMMEND,
        method=Resolution.Method.RECORDED,
        votes={bob.pk: "against", dave.pk: "against"},
    )
    assert resolution.outcome == Resolution.Outcome.LOST
    assert not Recommendation.objects.exists()


# --- The page -----------------------------------------------------------------------------------


def url_of(item):
    return reverse("resolution_add", kwargs={"pk": item.meeting_id, "item": item.pk})


def test_the_clerk_records_a_vote_on_the_page(client_of, item, alice, bob, dave, owen):
    response = client_of(alice).post(
        url_of(item),
        {
            "wording": "To note the report.",
            "kind": "general",
            "put_by": dave.pk,
            "method": "recorded",
            f"vote_{bob.pk}": "for",
            f"vote_{dave.pk}": "for",
            f"vote_{owen.pk}": "abstain",
        },
    )
    assert response.status_code == 302
    page = client_of(bob).get(item.meeting.get_absolute_url()).content.decode()
    assert "Carried: 2 for, 0 against, 1 abstention" in page


def test_the_page_offers_a_vote_only_to_those_who_may_vote(client_of, item, alice, erin):
    form = client_of(alice).get(url_of(item)).context["form"]
    assert f"vote_{erin.pk}" not in form.fields
    assert f"vote_{alice.pk}" not in form.fields


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"method": "recorded"}, "Record at least one member&#x27;s vote"),
        ({"method": "show_of_hands"}, "Give the number of votes"),
        ({"method": "show_of_hands", "votes_for": "-1"}, "greater than or equal to 0"),
        ({"method": "unanimous"}, "Select a valid choice"),
        ({"method": "show_of_hands", "votes_for": "2", "votes_against": "2"}, "tied"),
    ],
)
def test_bad_input_stays_in_the_form_with_a_sentence(client_of, item, alice, dave, data, error):
    response = client_of(alice).post(
        url_of(item), {"wording": "To note.", "kind": "general", "put_by": dave.pk, **data}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Resolution.objects.exists()


def test_only_the_secretariat_records_resolutions(
    client, client_of, item, alice, bob, dave, charlie
):
    assert client_of(alice).get(url_of(item)).status_code == 200
    assert client_of(dave).get(url_of(item)).status_code == 403
    assert client_of(bob).get(url_of(item)).status_code == 403
    assert client_of(charlie).get(url_of(item)).status_code == 404
    client.logout()
    assert client.get(url_of(item)).status_code == 302

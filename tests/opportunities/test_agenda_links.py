"""Opportunities on the board's agenda, and recommendations recorded from the agenda item."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import AgreedRecommendation, Meeting
from opportunities.models import Recommendation, Referral
from tests.factories import AgendaItemFactory, MeetingFactory, MeetingInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_meeting(board, alice):
    return MeetingFactory(
        board=board,
        created_by=alice,
        title="Autumn meeting",
        status=Meeting.Status.HELD,
        starts_at=timezone.now() - timedelta(days=3),
    )


def item_form_url(meeting):
    return reverse("agenda_item_add", kwargs={"pk": meeting.pk})


def test_secretariat_links_an_agenda_item_to_an_opportunity_by_reference(
    client_of, alice, board, opportunity
):
    meeting = MeetingFactory(board=board, created_by=alice)
    response = client_of(alice).post(
        item_form_url(meeting),
        {
            "title": "Shared station",
            "presenter": "Chair",
            "opportunity_reference": opportunity.reference.lower(),
        },
    )
    assert response.status_code == 302
    assert meeting.items.get().opportunity == opportunity


@pytest.mark.parametrize("reference", ["BLC-9999", "nonsense"])
def test_an_unknown_reference_is_refused(client_of, alice, board, reference):
    meeting = MeetingFactory(board=board, created_by=alice)
    response = client_of(alice).post(
        item_form_url(meeting), {"title": "Shared station", "opportunity_reference": reference}
    )
    assert response.status_code == 200
    assert "in this board&#x27;s register" in response.content.decode()
    assert not meeting.items.exists()


def test_an_opportunity_of_another_board_cannot_be_linked(
    client_of, alice, board, charlie, outsider_org
):
    from boards.models import Board
    from opportunities import services

    other = services.opportunity_propose(
        board=Board.objects.get(slug="elsewhere"),
        proposed_by=charlie,
        participating=[],
        title="Elsewhere",
        summary="s",
        theme="fleet",
        lead_organisation=outsider_org,
    )
    meeting = MeetingFactory(board=board, created_by=alice)
    response = client_of(alice).post(
        item_form_url(meeting), {"title": "Item", "opportunity_reference": other.reference}
    )
    assert response.status_code == 200
    assert not meeting.items.exists()


def test_the_meeting_page_links_the_item_to_its_opportunity(
    client_of, alice, bob, held_meeting, opportunity
):
    item = AgendaItemFactory(meeting=held_meeting, title="Station", opportunity=opportunity)
    MeetingInvitationFactory(meeting=held_meeting, person=bob)
    record_url = reverse("recommendation_at_item", args=[held_meeting.pk, item.pk])
    body = client_of(alice).get(held_meeting.get_absolute_url()).content.decode()
    assert opportunity.get_absolute_url() in body
    assert record_url in body
    member_view = client_of(bob).get(held_meeting.get_absolute_url()).content.decode()
    assert opportunity.get_absolute_url() in member_view
    assert record_url not in member_view
    # The button is not the only guard: the member is refused at the address itself.
    assert client_of(bob).get(record_url).status_code == 403


def test_a_guest_does_not_see_the_register_link(client_of, alice, held_meeting, opportunity, erin):
    AgendaItemFactory(meeting=held_meeting, title="Station", opportunity=opportunity)
    MeetingInvitationFactory(
        meeting=held_meeting, person=erin, is_guest=True, counts_for_quorum=False
    )
    response = client_of(erin).get(held_meeting.get_absolute_url())
    assert response.status_code == 200
    assert opportunity.get_absolute_url() not in response.content.decode()


def test_recommendation_recorded_from_the_item_is_linked_and_shown(
    client_of, alice, bob, assessed, held_meeting, police
):
    item = AgendaItemFactory(meeting=held_meeting, title="Station", opportunity=assessed)
    client = client_of(alice)
    url = reverse("recommendation_at_item", args=[held_meeting.pk, item.pk])
    form = client.get(url).context["form"]
    assert form.initial["agreed_on"] == timezone.localtime(held_meeting.starts_at).date()
    response = client.post(
        url,
        {
            "wording": "Co-locate.",
            "agreed_on": form.initial["agreed_on"].isoformat(),
            "decision_due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "organisations": [police.pk],
        },
    )
    assert response.status_code == 302
    assert Recommendation.objects.get().agreed_at.agenda_item == item
    page = client_of(bob).get(assessed.get_absolute_url()).content.decode()
    assert "agreed at" in page and "Autumn meeting" in page
    assert "On the board" in page and "“Station”" in page


def test_recording_at_an_item_is_for_the_secretariat_only(
    client_of, alice, bob, charlie, erin, dave, assessed, held_meeting
):
    item = AgendaItemFactory(meeting=held_meeting, title="Station", opportunity=assessed)
    url = reverse("recommendation_at_item", args=[held_meeting.pk, item.pk])
    assert client_of(alice).get(url).status_code == 200
    # The chair and a member see the meeting but may not record; others do not find it.
    assert client_of(dave).get(url).status_code == 403
    assert client_of(bob).get(url).status_code == 403
    assert client_of(charlie).get(url).status_code == 404
    assert client_of(erin).get(url).status_code == 404
    data = {
        "wording": "Co-locate.",
        "agreed_on": timezone.localdate().isoformat(),
        "decision_due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    assert client_of(bob).post(url, data).status_code == 403
    assert not Recommendation.objects.exists()


def test_recording_at_an_item_shows_bad_input_in_the_form(
    client_of, alice, assessed, held_meeting, police
):
    item = AgendaItemFactory(meeting=held_meeting, title="Station", opportunity=assessed)
    url = reverse("recommendation_at_item", args=[held_meeting.pk, item.pk])
    response = client_of(alice).post(
        url,
        {
            "wording": "",
            "agreed_on": "not a date",
            "decision_due_on": "",
            "organisations": [police.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"wording", "agreed_on", "decision_due_on"}
    assert not Recommendation.objects.exists()


def test_recording_at_an_item_refuses_what_it_should(
    client_of, alice, assessed, held_meeting, make_opportunity
):
    # An item with no opportunity has nothing to recommend on: not found.
    bare = AgendaItemFactory(meeting=held_meeting, title="Apologies")
    url = reverse("recommendation_at_item", args=[held_meeting.pk, bare.pk])
    assert client_of(alice).get(url).status_code == 404
    # An item of another meeting is not found through this one.
    other_meeting = MeetingFactory(board=held_meeting.board, created_by=alice)
    elsewhere = AgendaItemFactory(meeting=other_meeting, title="Elsewhere", opportunity=assessed)
    url = reverse("recommendation_at_item", args=[held_meeting.pk, elsewhere.pk])
    assert client_of(alice).get(url).status_code == 404
    # An opportunity that is not ready for a recommendation sends the secretariat back, saying so.
    fresh = make_opportunity(title="Just proposed")
    proposed = AgendaItemFactory(meeting=held_meeting, title="New", opportunity=fresh)
    url = reverse("recommendation_at_item", args=[held_meeting.pk, proposed.pk])
    response = client_of(alice).get(url, follow=True)
    assert "A recommendation cannot be recorded while" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_a_confidential_item_is_listed_only_for_those_who_may_see_exempt_business(
    client_of, alice, bob, held_meeting, opportunity
):
    AgendaItemFactory(
        meeting=held_meeting, title="Supplier pricing", confidential=True, opportunity=opportunity
    )
    # Bob, a member not invited to the meeting, may not see its exempt business at all.
    body = client_of(bob).get(opportunity.get_absolute_url()).content.decode()
    assert "Supplier pricing" not in body
    assert "(exempt business)" not in body
    # The secretariat, entitled to exempt business, sees the item, marked as exempt.
    body = client_of(alice).get(opportunity.get_absolute_url()).content.decode()
    assert "“Supplier pricing” (exempt business)" in body


def test_an_invited_member_sees_the_confidential_item_listed(
    client_of, bob, held_meeting, opportunity
):
    AgendaItemFactory(
        meeting=held_meeting, title="Supplier pricing", confidential=True, opportunity=opportunity
    )
    MeetingInvitationFactory(meeting=held_meeting, person=bob)
    body = client_of(bob).get(opportunity.get_absolute_url()).content.decode()
    assert "“Supplier pricing” (exempt business)" in body


def test_a_recommendation_links_its_meeting_only_for_those_who_may_open_it(
    client_of, alice, erin, held_meeting, opportunity
):
    item = AgendaItemFactory(meeting=held_meeting, title="Shared station", opportunity=opportunity)
    today = timezone.localdate()
    recommendation = Recommendation.objects.create(
        opportunity=opportunity,
        version=1,
        wording="Build it.",
        agreed_on=today,
        decision_due_on=today + timedelta(days=28),
        recorded_by=alice,
        sent_at=timezone.now(),
    )
    AgreedRecommendation.objects.create(recommendation=recommendation, agenda_item=item)
    Referral.objects.create(
        recommendation=recommendation,
        organisation=erin.organisation,
        due_on=today,
        sent_at=timezone.now(),
    )
    meeting_link = held_meeting.get_absolute_url()
    assert meeting_link in client_of(alice).get(opportunity.get_absolute_url()).content.decode()
    # An executive of a participating body reads the opportunity but is not on the board.
    page = client_of(erin).get(opportunity.get_absolute_url())
    assert page.status_code == 200
    assert meeting_link not in page.content.decode()
    assert "agreed at" not in page.content.decode()


def test_an_agenda_item_address_that_is_not_a_number_is_not_found(client_of, alice, held_meeting):
    url = f"/meetings/{held_meeting.pk}/agenda/²/recommendation/"
    assert client_of(alice).get(url).status_code == 404


def test_a_recommendation_agreed_in_exempt_business_is_linked_only_for_those_entitled(
    client_of, alice, bob, assessed, held_meeting, police
):
    item = AgendaItemFactory(
        meeting=held_meeting, title="Depot sale", opportunity=assessed, confidential=True
    )
    url = reverse("recommendation_at_item", args=[held_meeting.pk, item.pk])
    client_of(alice).post(
        url,
        {
            "wording": "Sell the depot.",
            "agreed_on": timezone.localdate().isoformat(),
            "decision_due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "organisations": [police.pk],
        },
    )
    assert Recommendation.objects.get().agreed_at.agenda_item == item
    anchor = f"#item-{item.pk}"
    assert anchor in client_of(alice).get(assessed.get_absolute_url()).content.decode()
    # Bob sees the meeting but is not invited: its exempt business stays closed to him.
    page = client_of(bob).get(assessed.get_absolute_url()).content.decode()
    assert "Sell the depot." in page
    assert anchor not in page and "agreed at" not in page


def test_the_opportunity_page_costs_the_same_queries_for_one_agenda_item_or_many(
    client_of, bob, board, alice, held_meeting, opportunity, django_assert_max_num_queries
):
    url = opportunity.get_absolute_url()
    client = client_of(bob)
    AgendaItemFactory(meeting=held_meeting, title="First look", opportunity=opportunity)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        assert "“First look”" in client.get(url).content.decode()
    for index in range(12):
        meeting = MeetingFactory(
            board=board,
            created_by=alice,
            title=f"Meeting {index}",
            status=Meeting.Status.HELD,
            starts_at=timezone.now() - timedelta(days=10 + index),
        )
        AgendaItemFactory(meeting=meeting, title=f"Look {index}", opportunity=opportunity)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        body = client.get(url).content.decode()
    assert "“Look 11”" in body
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_opportunity_no_meeting_took_up_reads_no_meeting_rules(client_of, bob, opportunity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(bob)
    client.get(opportunity.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        body = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'id="agenda-heading"' not in body
    assert not any("meetinginvitation" in query["sql"] for query in captured)

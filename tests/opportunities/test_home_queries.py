"""The home page's panels: the same queries however much business the person's boards hold,
and the questions still to answer found from the asking events alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from opportunities import referral_services, services
from opportunities.models import Opportunity, Referral, Status
from tests.factories import ActionFactory, MeetingFactory, MeetingInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(board, alice, bob, erin, fire, police, make_opportunity, record):
    """``business(count)``: ``count`` more of everything the home panels list."""

    def add(count):
        for n in range(count):
            proposed = make_opportunity(title=f"Proposal {n}")
            referred = make_opportunity(title=f"Referred {n}")
            Opportunity.objects.filter(pk=referred.pk).update(status=Status.UNDER_ASSESSMENT)
            referred.refresh_from_db()
            recommendation = record(referred, [fire, police], due_in_days=5)
            services.recommendation_send(recommendation=recommendation, actor=alice)
            referral = Referral.objects.get(recommendation=recommendation, organisation=fire)
            referral_services.referral_ask(referral=referral, actor=erin, question=f"Q{n}?")
            Referral.objects.filter(recommendation=recommendation, organisation=police).update(
                due_on=timezone.localdate() - timedelta(days=1)
            )
            meeting = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
            for person in (alice, bob):
                MeetingInvitationFactory(meeting=meeting, person=person)
            ActionFactory(meeting=meeting, owner=bob, created_by=alice)
            assert proposed.status == Status.PROPOSED

    return add


@pytest.mark.parametrize("who", ["alice", "erin", "bob"])
def test_the_home_page_does_not_grow_with_the_business_it_lists(
    request, who, client_of, business, django_assert_max_num_queries
):
    client = client_of(request.getfixturevalue(who))
    client.get(reverse("home"))
    business(2)
    with django_assert_max_num_queries(25) as small:
        assert client.get(reverse("home")).status_code == 200
    business(12)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        body = client.get(reverse("home")).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    expected = {
        "alice": ["Overdue decisions", "New proposals to assess", "Executives"],
        "erin": ["Recommendations awaiting your body"],
        "bob": ["My open actions", "Meetings waiting for my reply"],
    }[who]
    for heading in expected:
        assert heading in body


def test_only_unanswered_questions_wait_for_the_secretariat(
    client_of, alice, erin, fire, police, referred
):
    asked = Referral.objects.get(recommendation=referred, organisation=fire)
    quiet = Referral.objects.get(recommendation=referred, organisation=police)

    def waiting():
        return list(client_of(alice).get(reverse("home")).context["questions_awaiting_answer"])

    assert waiting() == []
    referral_services.referral_ask(referral=asked, actor=erin, question="Which stations?")
    assert waiting() == [asked]
    referral_services.referral_answer(referral=asked, actor=alice, answer="Two.")
    assert waiting() == []
    referral_services.referral_ask(referral=asked, actor=erin, question="And the costs?")
    assert [r.pk for r in waiting()] == [asked.pk]
    assert quiet not in waiting()

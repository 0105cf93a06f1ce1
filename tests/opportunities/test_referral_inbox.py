from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities import services
from opportunities.models import Referral
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db
URL = reverse("referral_inbox")


def send(opportunity, bodies, record, alice, due_in_days):
    recommendation = record(opportunity, bodies, due_in_days=due_in_days)
    services.recommendation_send(recommendation=recommendation, actor=alice)
    return recommendation


def test_executive_sees_what_awaits_their_body_overdue_first(
    client_of, erin, alice, make_opportunity, record, fire, police
):
    from opportunities.models import Opportunity, Status

    later = make_opportunity(title="Due later")
    soon = make_opportunity(title="Overdue one")
    Opportunity.objects.filter(pk__in=[later.pk, soon.pk]).update(status=Status.UNDER_ASSESSMENT)
    later.refresh_from_db()
    soon.refresh_from_db()
    send(later, [fire, police], record, alice, 20)
    overdue = send(soon, [fire], record, alice, 1)
    Referral.objects.filter(recommendation=overdue).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    response = client_of(erin).get(URL)
    awaiting = list(response.context["awaiting"])
    assert [r.recommendation.opportunity.title for r in awaiting] == ["Overdue one", "Due later"]
    assert all(r.organisation == fire for r in awaiting)
    assert "Overdue" in response.content.decode()


def test_decided_referrals_leave_the_awaiting_list(client_of, erin, referred, fire):
    decide(referral_for(referred, fire), erin)
    response = client_of(erin).get(URL)
    assert list(response.context["awaiting"]) == []
    assert [r.pk for r in response.context["decided"]] == [referral_for(referred, fire).pk]


def test_unsent_referrals_are_not_in_the_inbox(client_of, erin, assessed, record, fire):
    record(assessed, [fire])
    assert list(client_of(erin).get(URL).context["awaiting"]) == []


@pytest.mark.parametrize("person", ["alice", "bob", "charlie"])
def test_people_without_executive_authority_are_refused(client_of, request, person):
    response = client_of(request.getfixturevalue(person)).get(URL)
    assert response.status_code == 403
    assert "for people who record their body" in response.content.decode()


def test_executive_of_another_body_sees_only_their_own(client_of, pat, referred, police):
    awaiting = list(client_of(pat).get(URL).context["awaiting"])
    assert [r.organisation for r in awaiting] == [police]


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")


def test_inbox_queries_do_not_grow_with_referrals(
    client_of, erin, alice, make_opportunity, record, fire, django_assert_max_num_queries
):
    from opportunities.models import Opportunity, Status

    client = client_of(erin)
    client.get(URL)

    def add(count):
        for index in range(count):
            opportunity = make_opportunity(title=f"Referral {index}")
            Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
            opportunity.refresh_from_db()
            send(opportunity, [fire], record, alice, 10)

    add(2)
    with django_assert_max_num_queries(15) as one_page:
        client.get(URL)
    add(25)
    with django_assert_max_num_queries(len(one_page.captured_queries) + 1) as small:
        client.get(URL)  # more than a page: the referrals are counted (a few pages ahead)
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(URL)
    assert len(response.context["awaiting"]) == 25  # the first page
    assert response.context["page"].paginator.count == 37
    assert len(large.captured_queries) == len(small.captured_queries)

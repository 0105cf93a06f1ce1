"""The forward plan through the API: the entries the board's plan page (or a body's) shows,
for every role; refused as the page refuses."""

import pytest
from django.test import Client
from django.urls import reverse

from opportunities.models import Referral

ROLES = ["alice", "bob", "dave", "pat", "erin", "cara", "charlie"]


@pytest.fixture
def planned(referred, police, fire, police_forum, fire_forum, meeting_of, plan):
    plan(
        Referral.objects.get(recommendation=referred, organisation=police), meeting_of(police_forum)
    )
    plan(
        Referral.objects.get(recommendation=referred, organisation=fire),
        meeting_of(fire_forum, days_ahead=10),
        key=True,
    )
    return referred


def _page_entries(response) -> set[int]:
    return {
        entry.referral_id
        for month in response.context["months"]
        for body in month.bodies
        for entry in body.entries
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_answers_what_the_plan_page_shows(
    role, planned, client_of, token_of, request, fire
):
    person = request.getfixturevalue(role)
    page = client_of(person).get(reverse("forward_plan", args=["warwickshire"]))
    answer = Client().get("/api/forward-plan/warwickshire", **token_of(person))
    assert answer.status_code == page.status_code
    if page.status_code == 200:
        assert {e["referral"] for e in answer.json()["entries"]} == _page_entries(page)
        # An executive without a role on the board reads their own body's entries only.
        assert len(answer.json()["entries"]) == {"pat": 1, "erin": 1, "cara": 0}.get(role, 2)
    body_page = client_of(person).get(reverse("forward_plan_body", args=["warwickshire", fire.pk]))
    body_answer = Client().get(
        f"/api/forward-plan/warwickshire?organisation={fire.pk}", **token_of(person)
    )
    assert body_answer.status_code == body_page.status_code
    if body_page.status_code == 200:
        entries = body_answer.json()["entries"]
        assert {e["referral"] for e in entries} == _page_entries(body_page)
        assert entries[0]["key_decision"] and entries[0]["warnings"]


def test_the_plan_needs_a_token(planned):
    assert Client().get("/api/forward-plan/warwickshire").status_code == 401

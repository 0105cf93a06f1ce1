"""The decision matrix and its downloads carry the decision record: per body the status, the
decision's reference, date, who decided (and who recorded it, when someone else did) and the
conditions; a superseded version reads "Superseded", never "Awaiting"."""

from datetime import date

import pytest
from django.urls import reverse

from opportunities import services
from opportunities.models import Opportunity, Referral, Status
from tests.opportunities.helpers import decide, referral_for
from tests.opportunities.test_exports import matrix_url, rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def record_decided(referred, police, fire, pat, erin):
    """Police approved with conditions at Cabinet; Fire approved, recorded by the secretariat's
    alice on the executive's behalf (as the proxy records it: decided by erin, recorded by
    alice)."""
    decide(
        referral_for(referred, police),
        pat,
        outcome="approved_with_conditions",
        reference="PCC/2026/7",
        notes="",
        notice=services.DecisionNoticeFields(
            decision_maker="Chief Constable",
            decision_forum="Force Executive Board",
            decision_taken_on=date(2026, 11, 20),
            conditions="Only if the lease is signed.",
        ),
    )
    fire_referral = referral_for(referred, fire)
    decide(fire_referral, erin, reference="FRA/12")
    return referred


def test_the_matrix_shows_each_decisions_reference_date_decider_and_conditions(
    client_of, alice, board, record_decided, fire
):
    page = client_of(alice).get(reverse("decision_matrix", args=[board.slug])).content.decode()
    for fact in (
        "PCC/2026/7",
        "20 November 2026",
        "Chief Constable, Force Executive Board",
        "Only if the lease is signed.",
        "FRA/12",
        "by Erin Evans",
    ):
        assert fact in page, fact
    notice = reverse("decision_notice", args=[referral_for(record_decided, fire).pk])
    assert notice in page


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_downloads_carry_the_decision_record(client_of, alice, board, record_decided, kind):
    header, row = rows_of(client_of(alice).get(matrix_url(board, kind)), kind)
    values = dict(zip(header, row, strict=True))
    assert values["Police"] == "Approved with conditions"
    assert values["Police reference"] == "PCC/2026/7"
    decided_on = values["Police decided on"]
    assert (decided_on if kind == "csv" else decided_on.date().isoformat()) == "2026-11-20"
    assert values["Police decided by"] == "Chief Constable, Force Executive Board"
    assert values["Police conditions"] == "Only if the lease is signed."
    assert values["WFRS reference"] == "FRA/12"
    assert values["WFRS decided by"] == "Erin Evans"
    assert values["WCC"] == "Awaiting decision"
    assert values["WCC reference"] in ("", None)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_decision_recorded_by_someone_else_says_so(
    client_of, alice, board, record_decided, fire, kind
):
    Referral.objects.filter(pk=referral_for(record_decided, fire).pk).update(recorded_by=alice)
    header, row = rows_of(client_of(alice).get(matrix_url(board, kind)), kind)
    values = dict(zip(header, row, strict=True))
    assert values["WFRS decided by"] == "Erin Evans (recorded by Alice Archer)"


@pytest.fixture
def revised(record_decided, record, alice, police, fire, council):
    """Version 1 (awaiting the council) superseded by version 2."""
    return record(record_decided.opportunity, [police, fire, council], wording="Do it, revised.")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_superseded_version_reads_superseded_not_awaiting(client_of, alice, board, revised, kind):
    services.recommendation_send(recommendation=revised, actor=alice)
    header, *rows = rows_of(client_of(alice).get(matrix_url(board, kind)), kind)
    by_version = {row[header.index("Version")]: dict(zip(header, row, strict=True)) for row in rows}
    key = "1" if kind == "csv" else 1
    assert by_version[key]["Outcome"] == "Superseded"
    assert by_version[key]["Police reference"] == "PCC/2026/7"
    assert by_version["2" if kind == "csv" else 2]["Outcome"] == "Awaiting"


def test_the_matrix_page_marks_a_superseded_versions_outcome(client_of, alice, board, revised):
    services.recommendation_send(recommendation=revised, actor=alice)
    response = client_of(alice).get(reverse("decision_matrix", args=[board.slug]))
    labels = [row["outcome_label"] for row in response.context["rows"]]
    assert labels == ["Awaiting", "Superseded"]


def test_a_superseded_version_keeps_the_outcome_it_reached(
    client_of, alice, board, referred, record, police, fire, council, pat, erin, cara
):
    decide(referral_for(referred, police), pat, outcome="declined")
    opportunity = referred.opportunity
    opportunity.refresh_from_db()
    assert opportunity.status == Status.NOT_APPROVED
    services.recommendation_send(
        recommendation=record(opportunity, [police, fire, council]), actor=alice
    )
    response = client_of(alice).get(reverse("decision_matrix", args=[board.slug]))
    assert [row["outcome_label"] for row in response.context["rows"]] == [
        "Awaiting",
        "Superseded (not approved)",
    ]


def test_matrix_queries_stay_the_same_with_decided_referrals(
    client_of,
    alice,
    board,
    make_opportunity,
    record,
    police,
    fire,
    pat,
    erin,
    django_assert_max_num_queries,
):
    client = client_of(alice)

    def add(count):
        for index in range(count):
            opportunity = make_opportunity(title=f"Decided {index}")
            Opportunity.objects.filter(pk=opportunity.pk).update(status=Status.UNDER_ASSESSMENT)
            opportunity.refresh_from_db()
            recommendation = record(opportunity, [police, fire])
            services.recommendation_send(recommendation=recommendation, actor=alice)
            decide(referral_for(recommendation, police), pat, outcome="approved_with_conditions")
            decide(referral_for(recommendation, fire), erin, outcome="declined")

    add(2)
    client.get(reverse("decision_matrix", args=[board.slug]))
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("decision_matrix", args=[board.slug]))
    few = len(small.captured_queries)  # read now: the next request empties the query log
    add(12)
    client.get(reverse("decision_matrix", args=[board.slug]))  # recounts the new notifications
    with django_assert_max_num_queries(few) as large:
        response = client.get(reverse("decision_matrix", args=[board.slug]))
    assert len(response.context["rows"]) == 14
    assert len(large.captured_queries) == few

# ruff: noqa: F811 - the fixtures are shared with test_decision_markings
"""A body's decision notes follow its OFFICIAL-SENSITIVE decision documents: when the decision
is marked OFFICIAL-SENSITIVE and the body keeps such matter within itself, its notes, reasons
and conditions are read only by its own people, the board's chair and the secretariat; the
other bodies' executives and members still read the decision itself. One rule
(``reads_decision_notes``, and ``decision_notes_q`` as a query, beside
``decision_documents_q``), checked surface by surface against every role."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from boards.services import api_token_create
from core.markings import OFFICIAL
from opportunities.models import DecisionNotice, Referral
from opportunities.permissions import (
    WITHHELD_NOTES,
    decision_notes_q,
    reads_decision_notes,
)
from tests.opportunities.helpers import decide, referral_for
from tests.opportunities.test_decision_markings import (  # noqa: F401 - fixtures
    COMMERCIAL,
    INNER,
    ROLES,
    cast,
    decided,
    keep_within,
)
from tests.opportunities.test_exports import read_csv

pytestmark = pytest.mark.django_db

NOTES = "Approved subject to the tender."


def test_the_decision_carries_the_marking_it_was_recorded_with(decided):
    referral, _, _ = decided
    assert referral.handling == COMMERCIAL
    assert DecisionNotice.objects.get(referral=referral).handling == COMMERCIAL


def test_the_rule_and_its_query_agree_for_every_role(decided, fire, cast):
    referral, _, _ = decided
    keep_within(fire)
    referral.refresh_from_db()
    for name in ROLES:
        person = cast[name]
        rule = reads_decision_notes(person, referral)
        query = Referral.objects.filter(decision_notes_q(person), pk=referral.pk).exists()
        assert rule == query == (name in INNER), name


def test_each_page_follows_the_rule_for_every_role(decided, fire, cast, client_of):
    referral, _, _ = decided
    keep_within(fire)
    opportunity_url = referral.recommendation.opportunity.get_absolute_url()
    for name in ROLES:
        client = client_of(cast[name])
        allowed = name in INNER
        for url in (referral.get_record_url(), opportunity_url):
            response = client.get(url)
            assert response.status_code == 200, (name, url)
            page = response.content.decode()
            assert (NOTES in page) == allowed, (name, url)
            assert ("Withheld: the decision is OFFICIAL-SENSITIVE" in page) != allowed, (name, url)
            assert "Approved" in page, (name, url)  # the decision itself is read
        notice = client.get(reverse("decision_notice", kwargs={"pk": referral.pk}))
        assert (notice.status_code == 200) == allowed, name
        if allowed:
            assert NOTES in notice.content.decode(), name


def test_a_sharing_body_shows_the_notes_to_every_reader(decided, cast, client_of):
    referral, _, _ = decided
    for name in ROLES:
        page = client_of(cast[name]).get(referral.get_record_url()).content.decode()
        assert NOTES in page, name


def test_an_official_decision_shows_its_notes_to_every_reader(
    referred, fire, police, erin, cast, client_of
):
    keep_within(fire)
    referral = referral_for(referred, fire)
    decide(referral, erin, notes="Approved in the open.", marking=OFFICIAL)
    for name in ROLES:
        page = client_of(cast[name]).get(referral.get_record_url()).content.decode()
        assert "Approved in the open." in page, name


def test_the_api_answers_follow_the_rule(decided, fire, pat, erin, alice):
    referral, _, _ = decided
    keep_within(fire)

    def notes_for(person):
        _, token = api_token_create(person=person, name="Case system", lasts=timedelta(days=1))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        rows = Client().get("/api/decisions?limit=100", **headers).json()["results"]
        row = next(row for row in rows if row["referral"] == referral.pk)
        return row["notes"]

    assert notes_for(pat) == WITHHELD_NOTES
    assert notes_for(erin) == NOTES
    assert notes_for(alice) == NOTES


def test_the_secretariat_exports_the_conditions_of_a_sensitive_decision_marked_so(
    referred, fire, erin, alice, client_of
):
    keep_within(fire)
    referral = referral_for(referred, fire)
    decide(referral, erin, outcome="approved_with_conditions", notes="Only if Kestrel.")
    Referral.objects.filter(pk=referral.pk).update(marking="official_sensitive")
    url = reverse("decision_matrix_export_csv", args=[referred.opportunity.board.slug])
    rows = read_csv(client_of(alice).get(url), "OFFICIAL-SENSITIVE")
    assert any("Only if Kestrel." in cell for row in rows for cell in row)


def test_a_decisions_marking_changed_after_the_fact_re_marks_its_notice_and_notes(
    referred, fire, erin, pat, client_of, django_capture_on_commit_callbacks
):
    from audit.marking_changes import marking_version

    keep_within(fire)
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral, erin, notes="Approved in the open.", marking=OFFICIAL)
    referral.refresh_from_db()
    assert "Approved in the open." in client_of(pat).get(referral.get_record_url()).content.decode()
    change = reverse("marking_change", kwargs={"kind": "decision", "pk": referral.pk})
    assert client_of(pat).get(change).status_code == 403  # another body's executive
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(erin).post(
            change,
            {
                "marking": "official_sensitive",
                "marking_descriptors": ["commercial"],
                "version": marking_version(referral),
            },
        )
    assert response.status_code == 302
    notice = DecisionNotice.objects.get(referral=referral)
    assert notice.handling == COMMERCIAL
    assert notice.state == DecisionNotice.State.READY
    assert notice.generation == 2
    page = client_of(pat).get(referral.get_record_url()).content.decode()
    assert "Approved in the open." not in page


def test_search_never_finds_a_sensitive_decisions_notes(referred, fire, erin, pat, client_of):
    keep_within(fire)
    referral = referral_for(referred, fire)
    decide(referral, erin, notes="Quetzal tender price agreed.", marking=COMMERCIAL)
    for person in (pat, erin):
        page = client_of(person).get(reverse("search"), {"q": "Quetzal"})
        assert page.status_code == 200
        assert "Quetzal tender price" not in page.content.decode()

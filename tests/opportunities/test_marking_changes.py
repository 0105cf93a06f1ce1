"""A recommendation's, its papers', a decision's and its documents' markings changed after the
fact: by the secretariat (a recommendation and its papers) or the deciding body's executives and
the secretariat (a decision and its documents); every decision notice and report holding them
is built again and stamped with the new marking."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.marking_changes import VERB, marking_version
from audit.models import AuditEvent
from core import uploads
from core.markings import Descriptor, Level
from opportunities.models import DecisionNotice, RecommendationPaper
from reports.models import ReportRun
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(kind, pk):
    return reverse("marking_change", kwargs={"kind": kind, "pk": pk})


def sensitive(thing, *descriptors):
    return {
        "marking": Level.OFFICIAL_SENSITIVE,
        "marking_descriptors": list(descriptors),
        "version": marking_version(thing),
    }


@pytest.fixture
def decided_openly(referred, fire, erin, django_capture_on_commit_callbacks):
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral,
            erin,
            documents=[(SimpleUploadedFile("letter.pdf", PDF), uploads.PDF)],
        )
    referral.refresh_from_db()
    return referral


def test_raising_a_recommendation_re_marks_its_notices_and_rebuilds_the_reports(
    decided_openly, referred, alice, client_of, django_capture_on_commit_callbacks
):
    board = referred.opportunity.board
    today = timezone.localdate()
    report = ReportRun.objects.create(
        board=board,
        period_start=today.replace(day=1),
        period_end=today,
        requested_by=alice,
        status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(alice).post(
            url("recommendation", referred.pk), sensitive(referred, Descriptor.PERSONAL)
        )
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.handling.text == "OFFICIAL-SENSITIVE PERSONAL"
    notice = DecisionNotice.objects.get(referral=decided_openly)
    assert notice.generation == 2  # built again
    report.refresh_from_db()
    assert report.status == ReportRun.Status.DONE  # built again by its task
    assert report.attempts == 1
    event = AuditEvent.objects.for_subject(referred).get(verb=VERB)
    assert (event.actor, event.before, event.after) == (
        alice,
        {"marking": "OFFICIAL"},
        {"marking": "OFFICIAL-SENSITIVE PERSONAL"},
    )


def test_a_decision_document_raised_makes_its_notice_sensitive(
    decided_openly, erin, client_of, django_capture_on_commit_callbacks
):
    document = decided_openly.documents.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(erin).post(
            url("decision-document", document.pk), sensitive(document, Descriptor.COMMERCIAL)
        )
    assert response.status_code == 302
    notice = DecisionNotice.objects.get(referral=decided_openly)
    assert notice.handling.text == "OFFICIAL-SENSITIVE COMMERCIAL"
    assert notice.state == DecisionNotice.State.READY


def test_who_may_change_a_decisions_marking(decided_openly, alice, erin, pat, bob, client_of):
    for person, status in ((erin, 200), (alice, 200), (pat, 403), (bob, 403)):
        assert client_of(person).get(url("decision", decided_openly.pk)).status_code == status
    assert (
        client_of(pat)
        .post(url("decision", decided_openly.pk), sensitive(decided_openly))
        .status_code
        == 403
    )
    decided_openly.refresh_from_db()
    assert not decided_openly.is_sensitive


def test_only_the_secretariat_changes_a_recommendations_marking(
    referred, alice, erin, bob, charlie, client_of
):
    assert client_of(alice).get(url("recommendation", referred.pk)).status_code == 200
    assert client_of(erin).get(url("recommendation", referred.pk)).status_code == 403
    assert client_of(bob).get(url("recommendation", referred.pk)).status_code == 403
    assert client_of(charlie).get(url("recommendation", referred.pk)).status_code == 404


def test_a_recommendation_paper_is_re_marked(assessed, record, alice, police, client_of):
    recommendation = record(assessed, [police])
    paper = RecommendationPaper.objects.create(
        recommendation=recommendation,
        title="Costs",
        file=SimpleUploadedFile("costs.pdf", PDF),
        original_name="costs.pdf",
        content_type="application/pdf",
        size=len(PDF),
        added_by=alice,
    )
    page = client_of(alice).get(reverse("recommendation_papers", kwargs={"pk": recommendation.pk}))
    assert url("recommendation-paper", paper.pk) in page.content.decode()
    response = client_of(alice).post(
        url("recommendation-paper", paper.pk), sensitive(paper, Descriptor.COMMERCIAL)
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.handling.text == "OFFICIAL-SENSITIVE COMMERCIAL"

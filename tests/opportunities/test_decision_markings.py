"""Handling markings narrow joint transparency: a body that keeps its OFFICIAL-SENSITIVE
decision documents within itself shows them (the documents and the decision notice) only to
its own people, the board's chair and the secretariat — never to the other bodies' executives
or members, who still read its decision. One rule (``can_view_decision_record`` with the
document's marking, and ``decision_documents_q`` as a query), checked here surface by surface
against every role, like the exempt rule."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from core.markings import Descriptor, Level, Marking
from opportunities.models import DecisionNotice, ReferralDocument
from opportunities.permissions import can_view_decision_record, decision_documents_q
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMMERCIAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)
ROLES = ("erin", "bob", "dave", "alice", "pat", "cara", "owen")
# Fire's own executive and board member, the chair and the secretariat.
INNER = {"erin", "bob", "dave", "alice"}


@pytest.fixture
def cast(erin, bob, dave, alice, pat, cara, owen):
    return {
        "erin": erin,
        "bob": bob,
        "dave": dave,
        "alice": alice,
        "pat": pat,
        "cara": cara,
        "owen": owen,
    }


@pytest.fixture
def decided(referred, fire, erin, django_capture_on_commit_callbacks):
    """Fire approves with a sensitive costing and an official letter."""
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral,
            erin,
            notes="Approved subject to the tender.",
            documents=[(SimpleUploadedFile("costing.pdf", PDF), uploads.PDF)],
            marking=COMMERCIAL,
        )
    referral.refresh_from_db()
    letter = ReferralDocument.objects.create(
        referral=referral,
        event=referral.events.get(kind="decision"),
        file=SimpleUploadedFile("letter.pdf", PDF),
        original_name="letter.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=erin,
    )
    return referral, referral.documents.get(original_name="costing.pdf"), letter


def keep_within(fire):
    fire.shares_sensitive_decisions = False
    fire.save()


def test_the_decision_marks_its_documents_and_its_notice(decided):
    referral, costing, letter = decided
    assert costing.handling == COMMERCIAL
    assert not letter.handling.is_sensitive
    notice = DecisionNotice.objects.get(referral=referral)
    assert notice.handling == COMMERCIAL
    assert notice.state == DecisionNotice.State.READY


def test_every_page_of_the_notice_pdf_carries_its_marking(decided):
    import io

    from pypdf import PdfReader

    referral, _, _ = decided
    notice = DecisionNotice.objects.get(referral=referral)
    with notice.file.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]
    assert pages
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE COMMERCIAL" in page, f"page {number}"


def test_the_rule_and_its_query_agree_for_every_role(decided, fire, cast):
    referral, costing, letter = decided
    keep_within(fire)
    for name in ROLES:
        person = cast[name]
        rule = {
            d.pk
            for d in (costing, letter)
            if can_view_decision_record(person, referral, d.handling)
        }
        query = set(
            ReferralDocument.objects.filter(referral=referral)
            .filter(decision_documents_q(person))
            .values_list("pk", flat=True)
        )
        assert rule == query, name
        assert (costing.pk in rule) == (name in INNER), name
        assert letter.pk in rule, name  # OFFICIAL: joint transparency as before


def test_a_sharing_body_shows_its_sensitive_documents_to_every_reader(decided, cast, client_of):
    referral, costing, _ = decided
    for name in ROLES:
        assert can_view_decision_record(cast[name], referral, costing.handling), name
        page = client_of(cast[name]).get(referral.get_record_url()).content.decode()
        assert "costing.pdf" in page, name


def document_url(document):
    return reverse("referral_document", kwargs={"pk": document.pk})


def test_each_surface_follows_the_rule_for_every_role(decided, fire, cast, client_of):
    referral, costing, letter = decided
    keep_within(fire)
    opportunity_url = referral.recommendation.opportunity.get_absolute_url()
    notice_url = reverse("decision_notice", kwargs={"pk": referral.pk})
    notice_pdf_url = reverse("decision_notice_pdf", kwargs={"pk": referral.pk})
    for name in ROLES:
        client = client_of(cast[name])
        allowed = can_view_decision_record(cast[name], referral, costing.handling)
        assert allowed == (name in INNER), name
        # the document itself
        assert client.get(document_url(costing)).status_code == (200 if allowed else 404), name
        assert client.get(document_url(letter)).status_code == 200, name
        # the decision record, the opportunity's page: the decision is read, the document
        # named only to those who may open it
        for url in (referral.get_record_url(), opportunity_url):
            page = client.get(url).content.decode()
            assert "Approved" in page, (name, url)
            # the decision is OFFICIAL-SENSITIVE too: its notes follow the same rule
            assert ("Approved subject to the tender." in page) == allowed, (name, url)
            assert ("costing.pdf" in page) == allowed, (name, url)
            assert "letter.pdf" in page, (name, url)
        # the notice (OFFICIAL-SENSITIVE COMMERCIAL) and its PDF
        notice = client.get(notice_url)
        assert notice.status_code == (200 if allowed else 404), name
        if not allowed:
            assert "OFFICIAL-SENSITIVE COMMERCIAL" in notice.content.decode()
        assert client.get(notice_pdf_url).status_code == (200 if allowed else 404), name


def test_the_fire_executive_sees_the_marking_on_its_own_referral_page(
    decided, fire, cast, client_of
):
    referral, _, _ = decided
    keep_within(fire)
    page = client_of(cast["erin"]).get(referral.get_absolute_url()).content.decode()
    assert "costing.pdf" in page
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in page


def test_the_decision_form_offers_the_bodys_default_marking(referred, fire, erin, client_of):
    fire.default_marking = Level.OFFICIAL_SENSITIVE
    fire.default_marking_descriptors = Descriptor.PERSONAL
    fire.save()
    referral = referral_for(referred, fire)
    form = client_of(erin).get(referral.get_absolute_url()).context["form"]
    assert form is not None
    assert form.initial["marking"] == Level.OFFICIAL_SENSITIVE
    assert form.initial["marking_descriptors"] == [Descriptor.PERSONAL]


def test_a_descriptor_without_official_sensitive_is_refused_in_the_form(
    referred, fire, erin, client_of
):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    response = client.post(
        referral.get_absolute_url(),
        {
            "outcome": "approved",
            "reference": "FRA/9",
            "revision": referral.revision,
            "marking": Level.OFFICIAL,
            "marking_descriptors": Descriptor.COMMERCIAL,
        },
    )
    assert response.status_code == 200
    assert "Descriptors are used only with OFFICIAL-SENSITIVE." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"

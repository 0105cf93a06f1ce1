"""Decision notices: a body's final decision records who took it and where, when, the reference,
reasons, conditions and documents; the notice page and its PDF (built by a Celery task) are for
the board's people and the executives of every body the recommendation went to."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from opportunities import services
from opportunities.models import DecisionNotice, Referral
from tests.check_answers import post_and_confirm
from tests.factories import MembershipFactory, UserFactory
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def to_two(assessed, record, alice, police, fire):
    """Sent to Police and Fire only: the council's executive (cara) has no referral."""
    recommendation = record(assessed, [police, fire], wording="Build the shared station.")
    services.recommendation_send(recommendation=recommendation, actor=alice)
    return recommendation


def post_decision(client, referral, *, confirm=True, **changes):
    """The executive's decision form, sent and (unless ``confirm`` is False) confirmed on its
    check page."""
    referral.refresh_from_db()
    data = {
        "outcome": "approved_with_conditions",
        "reference": "CAB/2026/14",
        "notes": "",
        "decision_maker": "Cllr Jo Webb, portfolio holder",
        "decision_forum": "Cabinet",
        "decision_taken_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "reasons": "The shared station saves running costs.",
        "conditions": "Subject to planning consent.",
        "revision": referral.revision,
    }
    data.update(changes)
    if not confirm:
        return client.post(referral.get_absolute_url(), data)
    return post_and_confirm(client, referral.get_absolute_url(), data)


@pytest.fixture
def decided(client_of, erin, to_two, fire, django_capture_on_commit_callbacks):
    referral = referral_for(to_two, fire)
    with django_capture_on_commit_callbacks(execute=True):
        post_decision(
            client_of(erin),
            referral,
            document=SimpleUploadedFile("minute.pdf", PDF, content_type="application/pdf"),
        )
    referral.refresh_from_db()
    return referral


def notice_url(referral):
    return reverse("decision_notice", args=[referral.pk])


def test_the_decision_form_records_what_the_notice_needs(decided):
    assert decided.status == Referral.Status.APPROVED_WITH_CONDITIONS
    assert decided.decision_maker == "Cllr Jo Webb, portfolio holder"
    assert decided.decision_forum == "Cabinet"
    assert decided.decision_taken_on == timezone.localdate() - timedelta(days=2)
    assert decided.reasons == "The shared station saves running costs."
    assert decided.conditions == "Subject to planning consent."


def test_conditions_alone_satisfy_an_approval_with_conditions(decided):
    assert decided.notes == ""


def test_a_decision_dated_in_the_future_is_refused_with_a_form_error(client_of, erin, to_two, fire):
    referral = referral_for(to_two, fire)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post_decision(client_of(erin), referral, confirm=False, decision_taken_on=tomorrow)
    assert response.status_code == 200
    assert "The date of the decision cannot be in the future." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_a_decision_without_a_date_is_dated_today(client_of, erin, to_two, fire):
    referral = referral_for(to_two, fire)
    post_decision(client_of(erin), referral, decision_taken_on="")
    referral.refresh_from_db()
    assert referral.decision_taken_on == timezone.localdate()


def test_the_deciding_executive_reads_the_notice(client_of, erin, decided, fire):
    page = client_of(erin).get(notice_url(decided)).content.decode()
    assert "Decision notice" in page
    for fact in (
        "Cllr Jo Webb, portfolio holder",
        f"Cabinet, {decided.decision_taken_on:%-d %B %Y}",
        "CAB/2026/14",
        "The shared station saves running costs.",
        "Subject to planning consent.",
        "minute.pdf",
        "Approved with conditions",
        "Build the shared station.",
    ):
        assert fact in page, fact


def test_the_executive_of_another_body_referred_to_reads_the_notice(client_of, pat, decided):
    assert client_of(pat).get(notice_url(decided)).status_code == 200


def test_a_board_member_reads_the_notice(client_of, bob, decided):
    assert client_of(bob).get(notice_url(decided)).status_code == 200


def test_the_executive_of_a_body_not_referred_to_cannot_read_the_notice(client_of, cara, decided):
    assert client_of(cara).get(notice_url(decided)).status_code == 404
    assert client_of(cara).get(reverse("decision_notice_pdf", args=[decided.pk])).status_code == 404


def test_a_former_member_cannot_read_the_notice(client_of, board, fire, decided):
    former = UserFactory(organisation=fire)
    MembershipFactory(person=former, board=board, ends_on=date(2020, 1, 1))
    assert client_of(former).get(notice_url(decided)).status_code == 404


def test_another_boards_person_cannot_read_the_notice(client_of, charlie, decided):
    assert client_of(charlie).get(notice_url(decided)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, decided):
    client.logout()  # the fixture signed the executive in to decide
    for url in (notice_url(decided), reverse("decision_notice_pdf", args=[decided.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_referral_without_a_final_decision_has_no_notice(client_of, pat, bob, to_two, police):
    referral = referral_for(to_two, police)
    response = client_of(bob).get(notice_url(referral))
    assert response.status_code == 404
    decide(referral, pat, outcome="deferred", notes="What does it cost to run?")
    assert client_of(bob).get(notice_url(referral)).status_code == 404


def test_the_pdf_is_built_after_the_decision_and_downloads(client_of, bob, decided, fire):
    notice = DecisionNotice.objects.get(referral=decided)
    assert notice.state == DecisionNotice.State.READY
    response = client_of(bob).get(reverse("decision_notice_pdf", args=[decided.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    text = " ".join(text.split())
    for fact in (
        "Decision notice",
        fire.name,
        "Approved with conditions",
        "Cllr Jo Webb, portfolio holder",
        "CAB/2026/14",
        "Subject to planning consent.",
        "The shared station saves running costs.",
        "Build the shared station.",
    ):
        assert fact in text, fact


def test_the_pdf_is_never_built_in_the_request(client_of, erin, to_two, fire):
    referral = referral_for(to_two, fire)
    # Without running the on-commit callbacks, the decision leaves the PDF "being built".
    post_decision(client_of(erin), referral)
    notice = DecisionNotice.objects.get(referral=referral)
    assert notice.state == DecisionNotice.State.BUILDING and not notice.file
    page = client_of(erin).get(notice_url(referral)).content.decode()
    assert "being prepared" in page
    assert (
        client_of(erin).get(reverse("decision_notice_pdf", args=[referral.pk])).status_code == 404
    )


def test_a_notice_never_built_can_be_asked_for(
    client_of, bob, pat, to_two, police, django_capture_on_commit_callbacks
):
    referral = referral_for(to_two, police)
    decide(referral, pat)
    DecisionNotice.objects.filter(referral=referral).delete()  # decided before notices were kept
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(bob).post(reverse("decision_notice_build", args=[referral.pk]))
    assert response.status_code == 302
    assert DecisionNotice.objects.get(referral=referral).state == DecisionNotice.State.READY


def test_the_opportunity_page_links_each_notice(client_of, bob, decided):
    page = client_of(bob).get(decided.recommendation.opportunity.get_absolute_url())
    assert notice_url(decided) in page.content.decode()


def test_a_notice_lost_on_its_way_to_the_worker_can_be_asked_for_again(
    client_of, bob, pat, to_two, police, django_capture_on_commit_callbacks
):
    referral = referral_for(to_two, police)
    decide(referral, pat)  # its build was never queued (the on-commit callback did not run)
    build = reverse("decision_notice_build", args=[referral.pk])
    # Asked for moments ago: the page waits, and asking again changes nothing.
    assert "Prepare the PDF" not in client_of(bob).get(notice_url(referral)).content.decode()
    client_of(bob).post(build)
    assert DecisionNotice.objects.get(referral=referral).generation == 1

    DecisionNotice.objects.filter(referral=referral).update(
        requested_at=timezone.now() - timedelta(minutes=10)
    )
    page = client_of(bob).get(notice_url(referral)).content.decode()
    assert "The PDF has not arrived." in page and "Prepare the PDF" in page
    with django_capture_on_commit_callbacks(execute=True):
        client_of(bob).post(build)
    notice = DecisionNotice.objects.get(referral=referral)
    assert (notice.generation, notice.state) == (2, DecisionNotice.State.READY)


def test_the_executive_of_a_body_not_referred_to_cannot_ask_for_the_pdf(
    client_of, cara, pat, to_two, police
):
    referral = referral_for(to_two, police)
    decide(referral, pat)
    DecisionNotice.objects.filter(referral=referral).delete()
    assert (
        client_of(cara).post(reverse("decision_notice_build", args=[referral.pk])).status_code
        == 404
    )
    assert not DecisionNotice.objects.exists()


def test_a_decision_recorded_on_behalf_has_its_notice_with_the_referrals_history(
    client_of, alice, bob, pat, to_two, police, django_capture_on_commit_callbacks
):
    referral = referral_for(to_two, police)
    decide(referral, pat, outcome="deferred", notes="What does it cost to run?", reference="D/1")
    referral.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_and_confirm(
            client_of(alice),
            reverse("referral_on_behalf", args=[referral.pk]),
            {
                "decided_by": "",
                "decision_maker": "",
                "decision_forum": "Police and Crime Commissioner's decision meeting",
                "decision_taken_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
                "outcome": "approved",
                "reference": "PCC/2026/07",
                "reasons": "The running costs were answered.",
                "notes": "",
                "revision": referral.revision,
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.decider == (
        "Police and Crime Commissioner's decision meeting "
        f"(recorded by {alice.full_name} on behalf of {police.name})"
    )
    notice = DecisionNotice.objects.get(referral=referral)
    assert notice.state == DecisionNotice.State.READY
    page = " ".join(client_of(bob).get(notice_url(referral)).content.decode().split())
    assert f"on behalf of {police.name}" in page
    assert "What does it cost to run?" in page and "D/1" in page
    pdf = client_of(bob).get(reverse("decision_notice_pdf", args=[referral.pk]))
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    text = " ".join(text.split())
    for fact in (
        "The referral's history",
        "Deferred",
        "What does it cost to run?",
        "PCC/2026/07",
        f"on behalf of {police.name}",
        "The running costs were answered.",
    ):
        assert fact in text, fact


def test_a_decisions_documents_follow_the_one_rule_for_reading_decisions(
    client_of, cara, pat, bob, charlie, decided
):
    url = reverse("referral_document", args=[decided.documents.get().pk])
    assert client_of(pat).get(url).status_code == 200  # another body it went to
    assert client_of(bob).get(url).status_code == 200  # a board member
    assert client_of(cara).get(url).status_code == 404  # a body it did not go to
    assert client_of(charlie).get(url).status_code == 404  # another board's person

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from core import uploads
from opportunities.models import Referral, ReferralDocument, Status
from tests.check_answers import post_and_confirm
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(referral):
    return reverse("referral_detail", kwargs={"pk": referral.pk})


def decision(referral, **changes):
    referral.refresh_from_db()
    data = {
        "outcome": "approved",
        "reference": "CAB/2026/14",
        "notes": "",
        "revision": referral.revision,
    }
    data.update(changes)
    return data


def audit_count(opportunity):
    return AuditEvent.objects.for_subject(opportunity).count()


def test_executive_sees_the_recommendation_and_the_decision_form(client_of, erin, referred, fire):
    response = client_of(erin).get(url(referral_for(referred, fire)))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The board's recommendation (version 1)" in body
    assert "Do it." in body
    assert 'name="outcome"' in body and ">Continue</button>" in body


def test_executive_records_their_bodys_decision(
    client_of, erin, alice, bob, referred, fire, django_capture_on_commit_callbacks
):
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_and_confirm(client_of(erin), url(referral), decision(referral))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED
    assert (referral.decided_by, referral.recorded_by) == (erin, erin)
    assert referral.executive_body == "Fire and Rescue Authority"
    assert referral.decision_reference == "CAB/2026/14"
    event = AuditEvent.objects.for_subject(referred.opportunity).get(verb="decision")
    assert event.actor == erin and event.after["status"] == "approved"
    # The secretariat (alice) and the lead body's (Police) members are told; bob is Fire.
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@police.example"]
    assert "WFRS — approved" in mail.outbox[0].subject
    assert referred.opportunity.get_absolute_url() in mail.outbox[0].body


def test_conditions_are_required_to_approve_with_conditions(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    response = client_of(erin).post(
        url(referral), decision(referral, outcome="approved_with_conditions")
    )
    assert response.status_code == 200
    assert "Set out the conditions." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": ""}, "Choose the decision"),
        ({"outcome": "approve_everything"}, "Select a valid choice."),
        ({"reference": ""}, "Enter the decision reference"),
        ({"outcome": "deferred"}, "Say what more information is needed."),
        ({"revision": "abc"}, "Enter a whole number."),
    ],
    ids=[
        "no decision",
        "unknown decision",
        "no reference",
        "deferred without notes",
        "bad revision",
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    client_of, erin, referred, fire, changes, message
):
    referral = referral_for(referred, fire)
    before = audit_count(referred.opportunity)
    response = client_of(erin).post(url(referral), decision(referral, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert audit_count(referred.opportunity) == before


def test_extra_posted_fields_are_ignored(client_of, erin, bob, referred, fire, police):
    referral = referral_for(referred, fire)
    post_and_confirm(
        client_of(erin),
        url(referral),
        decision(referral, status="declined", decided_by=bob.pk, organisation=police.pk),
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED
    assert referral.decided_by == erin
    assert referral.organisation == fire


def test_executive_of_another_body_cannot_see_or_decide(client_of, pat, referred, fire):
    referral = referral_for(referred, fire)
    before = audit_count(referred.opportunity)
    client = client_of(pat)
    assert client.get(url(referral)).status_code == 404
    assert client.post(url(referral), decision(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert audit_count(referred.opportunity) == before


@pytest.mark.parametrize("person", ["alice", "bob", "charlie"])
def test_secretariat_members_and_outsiders_cannot_decide(
    client_of, request, referred, fire, person
):
    referral = referral_for(referred, fire)
    client = client_of(request.getfixturevalue(person))
    assert client.get(url(referral)).status_code == 404
    assert client.post(url(referral), decision(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_anonymous_is_sent_to_sign_in(client, referred, fire):
    referral = referral_for(referred, fire)
    response = client.post(url(referral), decision(referral))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_a_referral_not_yet_sent_cannot_be_decided(client_of, erin, assessed, record, fire):
    recommendation = record(assessed, [fire])
    referral = referral_for(recommendation, fire)
    before = audit_count(assessed)
    assert client_of(erin).post(url(referral), decision(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and referral.decided_at is None
    assert audit_count(assessed) == before


def test_an_already_decided_referral_is_refused_and_unchanged(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    stale = decision(referral, outcome="declined")
    decide(referral, erin, "approved")
    before = audit_count(referred.opportunity)
    response = post_and_confirm(client_of(erin), url(referral), stale, follow=True)
    assert "already decided by Erin Evans" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED
    assert audit_count(referred.opportunity) == before


def test_a_deferred_referral_can_be_answered_again(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    decide(referral, erin, "deferred", notes="Send the costs.")
    page = client_of(erin).get(url(referral)).content.decode()
    assert "You can now answer again" in page
    post_and_confirm(client_of(erin), url(referral), decision(referral))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED
    assert AuditEvent.objects.for_subject(referred.opportunity).filter(verb="decision").count() == 2


def test_a_supporting_document_is_kept_and_served_only_to_those_who_may_see_it(
    client_of, erin, bob, charlie, referred, fire
):
    referral = referral_for(referred, fire)
    name = "Cabinet minute 14 – “fire”.pdf"  # noqa: RUF001  (a real-world name, dash and quotes)
    upload = SimpleUploadedFile(name, PDF, content_type="text/plain")
    post_and_confirm(client_of(erin), url(referral), {**decision(referral), "document": upload})
    document = ReferralDocument.objects.get()
    assert document.content_type == "application/pdf"
    assert document.file.name.startswith("referrals/") and ".pdf" not in document.file.name
    download = reverse("referral_document", kwargs={"pk": document.pk})
    response = client_of(bob).get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Cabinet%20minute%2014%20%E2%80%93" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    downloaded = AuditEvent.objects.get(verb="download.decision_document")
    assert downloaded.actor == bob and downloaded.subject == referral
    assert client_of(charlie).get(download).status_code == 404


def test_a_renamed_executable_is_refused_with_a_clear_message(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    upload = SimpleUploadedFile(
        "minute.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = client_of(erin).post(url(referral), {**decision(referral), "document": upload})
    assert response.status_code == 200
    assert "This file is a program, not a document" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert not ReferralDocument.objects.exists()


def test_an_oversize_document_is_refused(client_of, erin, referred, fire, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    referral = referral_for(referred, fire)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client_of(erin).post(url(referral), {**decision(referral), "document": upload})
    assert response.status_code == 200
    assert "the largest paper the portal accepts is 1.0\xa0KB" in response.content.decode()
    assert not ReferralDocument.objects.exists()


def test_the_opportunity_moves_on_when_the_last_body_approves(
    referred, police, fire, council, pat, erin, cara, django_capture_on_commit_callbacks
):
    decide(referral_for(referred, police), pat)
    decide(
        referral_for(referred, fire),
        erin,
        "approved_with_conditions",
        notes="Joint review at 6 months.",
    )
    opportunity = referred.opportunity
    opportunity.refresh_from_db()
    assert opportunity.status == Status.AWAITING_DECISIONS
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral_for(referred, council), cara)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.APPROVED
    outcome_mail = [m for m in mail.outbox if "approved by every body" in m.subject]
    # The board, and every executive the recommendation went to.
    assert sorted(m.to[0] for m in outcome_mail) == sorted(
        ["alice@police.example", "bob@fire.example", cara.email, erin.email, pat.email]
    )


def test_one_decline_settles_the_outcome_at_once(referred, police, pat):
    decide(referral_for(referred, police), pat, "declined")
    referred.opportunity.refresh_from_db()
    assert referred.opportunity.status == Status.NOT_APPROVED


def test_executive_may_open_the_opportunity_page_of_a_referral(client_of, erin, pat, referred):
    response = client_of(erin).get(referred.opportunity.get_absolute_url())
    assert response.status_code == 200
    assert "Record your body's decision" in response.content.decode()


def test_a_missing_decision_document_is_a_not_found_page(client_of, bob, referred, fire, erin):
    referral = referral_for(referred, fire)
    upload = SimpleUploadedFile("minute.pdf", b"%PDF-1.4\n%%EOF\n")
    decide(referral, erin, documents=[(upload, uploads.PDF)])
    document = ReferralDocument.objects.get()
    document.file.delete(save=False)
    response = client_of(bob).get(reverse("referral_document", kwargs={"pk": document.pk}))
    assert response.status_code == 404
    assert "file is missing" in response.content.decode()

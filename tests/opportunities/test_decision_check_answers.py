"""An executive's decision is shown back for checking before it is recorded (GOV.UK's "Check
your answers"), with a "Change" link per answer that keeps what was entered."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.check_answers import CONFIRM_FIELD, PENDING_FOLDER
from opportunities.models import Referral, ReferralDocument
from tests.opportunities.helpers import referral_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(referral):
    return reverse("referral_detail", kwargs={"pk": referral.pk})


def decision(referral, **changes):
    referral.refresh_from_db()
    return {
        "outcome": "approved_with_conditions",
        "reference": "CAB/2026/14",
        "notes": "Joint review at six months.",
        "decision_taken_on_day": "",
        "revision": referral.revision,
        **changes,
    }


def pending_files():
    if not default_storage.exists(PENDING_FOLDER):
        return []
    folders, _ = default_storage.listdir(PENDING_FOLDER)
    return [
        f for folder in folders for f in default_storage.listdir(f"{PENDING_FOLDER}/{folder}")[1]
    ]


def test_sending_the_form_records_nothing_and_shows_the_answers_to_check(
    client_of, erin, referred, fire
):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    sent = client.post(url(referral), decision(referral))
    assert sent.status_code == 302 and sent["Location"] == url(referral) + "?check"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    page = client.get(sent["Location"]).content.decode()
    assert "Check the decision of Fire and Rescue Authority before it is recorded" in page
    assert "Approved with conditions" in page
    assert "CAB/2026/14" in page
    assert "Joint review at six months." in page
    assert f'href="{url(referral)}?change#id_outcome_0"' in page
    assert f'href="{url(referral)}?change#id_reference"' in page
    assert page.count(">Change<") >= 8
    assert "Record the decision" in page


def test_the_change_link_opens_the_form_as_it_was_filled_in(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    client.post(url(referral), decision(referral))
    form = client.get(url(referral) + "?change").content.decode()
    assert 'value="CAB/2026/14"' in form
    assert "Joint review at six months.</textarea>" in form
    assert (
        'value="approved_with_conditions" class="form-check-input" id="id_outcome_1" checked'
        in form
        or (
            'id="id_outcome_1"' in form
            and "checked"
            in form.split('id="id_outcome_1"')[0][-200:] + form.split('id="id_outcome_1"')[1][:60]
        )
    )
    # A changed answer replaces the kept one and is checked again.
    client.post(url(referral), decision(referral, reference="CAB/2026/15"))
    page = client.get(url(referral) + "?check").content.decode()
    assert "CAB/2026/15" in page and "CAB/2026/14" not in page


def test_confirming_records_what_was_checked(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    client.post(url(referral), decision(referral))
    # What is posted with the confirmation itself is not what counts: the kept answers are.
    response = client.post(url(referral), {CONFIRM_FIELD: "yes", "outcome": "declined"})
    assert response.status_code == 302 and response["Location"] == reverse("referral_inbox")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED_WITH_CONDITIONS
    assert referral.decision_reference == "CAB/2026/14"
    # Once recorded, the kept answers are gone: the check page sends the person back.
    again = client.get(url(referral) + "?check", follow=True).content.decode()
    assert "Your answers were not kept" in again


def test_a_confirmation_without_kept_answers_records_nothing(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    response = client_of(erin).post(url(referral), {CONFIRM_FIELD: "yes"}, follow=True)
    assert "Your answers were not kept" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_an_uploaded_document_is_kept_between_the_steps_and_checked_again(
    client_of, erin, referred, fire
):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    upload = SimpleUploadedFile("Cabinet minute 14.pdf", PDF, content_type="application/pdf")
    client.post(url(referral), {**decision(referral), "document": upload})
    assert not ReferralDocument.objects.exists()
    assert pending_files() == ["Cabinet_minute_14.pdf"]
    check = client.get(url(referral) + "?check").content.decode()
    assert "Cabinet minute 14.pdf" in check
    # Changing another answer keeps the document, and the form says so.
    change = client.get(url(referral) + "?change").content.decode()
    assert "Kept from before: <strong>Cabinet minute 14.pdf</strong>" in change
    client.post(url(referral), decision(referral, reference="CAB/2026/15"))
    client.post(url(referral), {CONFIRM_FIELD: "yes"})
    document = ReferralDocument.objects.get()
    assert document.original_name == "Cabinet minute 14.pdf"
    assert document.file.read() == PDF
    assert pending_files() == []


def test_the_kept_document_can_be_removed_on_the_change_form(client_of, erin, referred, fire):
    referral = referral_for(referred, fire)
    client = client_of(erin)
    upload = SimpleUploadedFile("wrong.pdf", PDF, content_type="application/pdf")
    client.post(url(referral), {**decision(referral), "document": upload})
    client.post(url(referral), {**decision(referral), "discard_kept_documents": "yes"})
    assert "wrong.pdf" not in client.get(url(referral) + "?check").content.decode()
    client.post(url(referral), {CONFIRM_FIELD: "yes"})
    assert not ReferralDocument.objects.exists()
    assert pending_files() == []


@pytest.mark.parametrize("person", ["pat", "alice", "bob", "charlie"])
def test_others_can_neither_check_nor_confirm_a_bodys_decision(
    client_of, request, erin, referred, fire, person
):
    referral = referral_for(referred, fire)
    client_of(erin).post(url(referral), decision(referral))
    other = client_of(request.getfixturevalue(person))
    assert other.get(url(referral) + "?check").status_code == 404
    assert other.post(url(referral), {CONFIRM_FIELD: "yes"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_anonymous_confirmation_is_sent_to_sign_in(client, referred, fire):
    referral = referral_for(referred, fire)
    response = client.post(url(referral), {CONFIRM_FIELD: "yes"})
    assert response["Location"].startswith("/sign-in/")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def on_behalf_url(referral):
    return reverse("referral_on_behalf", kwargs={"pk": referral.pk})


def test_a_decision_recorded_on_a_bodys_behalf_is_checked_first(
    client_of, alice, referred, council
):
    referral = referral_for(referred, council)
    client = client_of(alice)
    data = {
        "decided_by": "",
        "decision_forum": "Cabinet",
        "outcome": "declined",
        "reference": "CAB/2026/31",
        "notes": "",
        "revision": referral.revision,
    }
    sent = client.post(on_behalf_url(referral), data)
    assert sent["Location"] == on_behalf_url(referral) + "?check"
    page = client.get(sent["Location"]).content.decode()
    assert "before it is recorded on its behalf" in page
    assert "Executive who took the decision" in page and "Cabinet" in page
    assert f'href="{on_behalf_url(referral)}?change#id_decision_forum"' in page
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING
    client.post(on_behalf_url(referral), {CONFIRM_FIELD: "yes"})
    referral.refresh_from_db()
    assert (referral.status, referral.on_behalf, referral.recorded_by) == ("declined", True, alice)


@pytest.mark.parametrize("person", ["bob", "cara", "charlie"])
def test_only_the_secretariat_may_confirm_a_decision_on_a_bodys_behalf(
    client_of, request, alice, referred, council, person
):
    referral = referral_for(referred, council)
    client_of(alice).post(
        on_behalf_url(referral),
        {"decision_forum": "Cabinet", "outcome": "approved", "reference": "C/1", "revision": 0},
    )
    other = client_of(request.getfixturevalue(person))
    assert other.post(on_behalf_url(referral), {CONFIRM_FIELD: "yes"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING

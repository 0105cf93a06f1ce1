"""Decision notices signed with the board's certificate by the worker, the signature's reason
naming who decided for which body and when, and their SHA-256 anchored in the audit chain."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from audit.models import AuditEvent
from core.govuk import govuk_date
from opportunities.models import DecisionNotice
from tests.opportunities.helpers import referral_for
from tests.opportunities.test_decision_notice import post_decision
from tests.signing import validate_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(client_of, erin, to_two, fire, django_capture_on_commit_callbacks):
    referral = referral_for(to_two, fire)
    with django_capture_on_commit_callbacks(execute=True):
        post_decision(
            client_of(erin),
            referral,
            document=SimpleUploadedFile("m.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        )
    referral.refresh_from_db()
    assert DecisionNotice.objects.get(referral=referral).state == DecisionNotice.State.READY
    return referral


@pytest.fixture
def to_two(assessed, record, alice, police, fire):
    from opportunities import services

    recommendation = record(assessed, [police, fire], wording="Build the shared station.")
    services.recommendation_send(recommendation=recommendation, actor=alice)
    return recommendation


def notice_bytes(client, referral) -> bytes:
    response = client.get(reverse("decision_notice_pdf", args=[referral.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_notice_is_signed_naming_who_decided(client_of, signing_authority, decided, bob, fire):
    content = notice_bytes(client_of(bob), decided)
    assert validate_with(signing_authority, content).bottom_line
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[-1]
    taken_on = govuk_date(timezone.localdate() - timezone.timedelta(days=2))
    assert signature.sig_object["/Reason"] == (
        f"Approved with conditions for {fire.name} by Cllr Jo Webb, portfolio holder, "
        f"Cabinet, {taken_on}"
    )


def test_the_notice_is_anchored_in_the_audit_chain(client_of, signing_authority, decided, bob):
    content = notice_bytes(client_of(bob), decided)
    event = AuditEvent.objects.get(verb="document.issued", after__kind="decision_notice")
    assert event.after["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["signed"] is True
    assert event.chain_position is not None


def test_the_notice_page_says_whether_the_pdf_is_signed(client_of, decided, bob, settings):
    page = client_of(bob).get(reverse("decision_notice", args=[decided.pk])).text
    assert "This PDF is <strong>not signed</strong>" in page


def test_a_signed_notice_page_says_it_is_signed(client_of, signing_authority, decided, bob):
    page = client_of(bob).get(reverse("decision_notice", args=[decided.pk])).text
    assert "This PDF is signed with the board's certificate" in page

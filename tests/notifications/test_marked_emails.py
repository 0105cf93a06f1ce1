"""OFFICIAL-SENSITIVE matter is never e-mailed in full: the e-mail says there is something
new, with its reference and marking, and links to the portal. One rule
(``notifications.emails.withheld``, applied where every notice row is written), checked here
e-mail by e-mail: a referral, a decision, a late paper, and the daily digest."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import uploads
from core.markings import Descriptor, Level, Marking
from meetings import services as meeting_services
from notifications.models import Notification
from opportunities import services
from opportunities.models import Recommendation
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

COMMERCIAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def bodies(message) -> str:
    html = "".join(str(content) for content, _ in getattr(message, "alternatives", []))
    return message.subject + message.body + html


def send(recommendation, alice, capture):
    with capture(execute=True):
        services.recommendation_send(recommendation=recommendation, actor=alice)


def test_an_official_recommendation_is_e_mailed_with_its_wording(
    assessed, record, alice, police, pat, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police], wording="Share the Kestrel depot.")
    send(recommendation, alice, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "Share the Kestrel depot." in bodies(message)


def test_a_sensitive_recommendation_is_e_mailed_as_a_link_only(
    assessed, record, alice, police, pat, django_capture_on_commit_callbacks
):
    recommendation = record(assessed, [police], wording="Share the Kestrel depot.")
    Recommendation.objects.filter(pk=recommendation.pk).update(
        marking=COMMERCIAL.level, marking_descriptors=Descriptor.COMMERCIAL
    )
    send(recommendation, alice, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    text = bodies(message)
    assert "Kestrel" not in text
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in text
    assert assessed.reference in text
    referral = referral_for(recommendation, police)
    assert referral.get_absolute_url() in message.body
    # The row itself (shown in the notification centre and the message log) keeps no more.
    row = Notification.objects.get(recipient=pat)
    assert "Kestrel" not in row.subject + str(row.payload)


def test_a_sensitive_paper_sent_with_a_recommendation_withholds_the_e_mail(
    assessed, record, alice, police, pat, django_capture_on_commit_callbacks
):
    from opportunities import pack_services

    recommendation = record(assessed, [police], wording="Share the Kestrel depot.")
    pack_services.recommendation_paper_add(
        recommendation=recommendation,
        actor=alice,
        title="Depot costing",
        content=SimpleUploadedFile("costing.pdf", PDF),
        name="costing.pdf",
        size=len(PDF),
        kind=uploads.PDF,
        marking=COMMERCIAL,
    )
    send(recommendation, alice, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "Kestrel" not in bodies(message)
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in bodies(message)


def test_a_sensitive_decision_is_e_mailed_without_its_notes(
    referred, fire, erin, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral_for(referred, fire),
            erin,
            notes="Kestrel tender price agreed.",
            marking=COMMERCIAL,
        )
    to_alice = [m for m in mail.outbox if alice.email in m.to]
    assert to_alice
    for message in mail.outbox:
        assert "Kestrel" not in bodies(message)
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in bodies(to_alice[0])


def test_an_official_decision_is_e_mailed_with_its_notes(
    referred, fire, erin, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral_for(referred, fire), erin, notes="Kestrel tender price agreed.")
    assert any("Kestrel" in bodies(m) for m in mail.outbox if alice.email in m.to)


@pytest.mark.parametrize("sensitive", [False, True])
def test_a_late_paper_is_named_in_the_e_mail_only_when_official(
    published, alice, bob, sensitive, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    upload = SimpleUploadedFile("late.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.paper_upload(
            meeting=published,
            actor=alice,
            upload=upload,
            kind=uploads.PDF,
            title="Kestrel late costing",
            marking=COMMERCIAL if sensitive else Marking(),
        )
    mine = [m for m in mail.outbox if bob.email in m.to]
    assert mine
    assert ("Kestrel" in bodies(mine[0])) is not sensitive
    assert ("OFFICIAL-SENSITIVE" in bodies(mine[0])) is sensitive


def test_the_digest_names_a_sensitive_notice_by_its_subject_only(
    referred, fire, erin, alice, django_capture_on_commit_callbacks
):
    from notifications.models import Delivery, NotificationPreference
    from notifications.tasks import send_daily_digests

    NotificationPreference.objects.create(
        recipient=alice, kind=Notification.Kind.DECISION_RECORDED, delivery=Delivery.DIGEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral_for(referred, fire),
            erin,
            notes="Kestrel tender price agreed.",
            marking=COMMERCIAL,
        )
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        send_daily_digests()
    mine = [m for m in mail.outbox if alice.email in m.to]
    assert mine
    assert "Kestrel" not in bodies(mine[0])
    assert "OFFICIAL-SENSITIVE COMMERCIAL" in bodies(mine[0])

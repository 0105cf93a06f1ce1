"""A paper added after publication is a late paper: the invitees who may read it are told once
per version (an exempt item's paper only to those the one rule admits)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import ExemptItemAdmission, ExemptParagraph
from notifications.models import Notification
from tests.factories import AgendaItemFactory, pdf_bytes

pytestmark = pytest.mark.django_db


def upload(client, meeting, title, item=None, capture=None):
    data = {
        "title": title,
        "file": SimpleUploadedFile(f"{title}.pdf", pdf_bytes(), "application/pdf"),
    }
    if item is not None:
        data["agenda_item"] = item.pk
    with capture(execute=True):
        return client.post(reverse("paper_upload", args=[meeting.pk]), data)


def told(title):
    return sorted(
        Notification.objects.filter(subject__contains=title).values_list(
            "recipient__full_name", flat=True
        )
    )


def test_every_invitee_is_told_of_a_late_paper_once(
    client_of, published, alice, django_capture_on_commit_callbacks
):
    response = upload(
        client_of(alice), published, "Revised budget", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert told("Revised budget") == ["Alice Archer", "Bob Baker", "Dave Dunn", "Erin Evans"]
    late = [m for m in mail.outbox if "Late paper" in m.subject]
    assert len(late) == 4
    assert "A late paper, “Revised budget”" in late[0].body
    # Building the pack again, or a second look, sends nothing more.
    from meetings.services import _notify_late_paper

    paper = published.papers.get(title="Revised budget")
    _notify_late_paper(published, paper.current_version)
    assert Notification.objects.filter(subject__contains="Revised budget").count() == 4


def test_a_late_exempt_paper_is_told_only_to_those_who_may_read_it(
    client_of, published, alice, erin, django_capture_on_commit_callbacks
):
    exempt = AgendaItemFactory(
        meeting=published,
        position=2,
        confidential=True,
        exempt_paragraph=ExemptParagraph.LEGAL_PRIVILEGE,
    )
    upload(
        client_of(alice),
        published,
        "Counsel's opinion",
        item=exempt,
        capture=django_capture_on_commit_callbacks,
    )
    assert told("opinion") == ["Alice Archer", "Bob Baker", "Dave Dunn"]
    ExemptItemAdmission.objects.create(agenda_item=exempt, person=erin, admitted_by=alice)
    upload(
        client_of(alice),
        published,
        "Counsel's second opinion",
        item=exempt,
        capture=django_capture_on_commit_callbacks,
    )
    assert "Erin Evans" in told("second opinion")


def test_no_late_paper_notice_before_publication(
    client_of, meeting, alice, bob, django_capture_on_commit_callbacks
):
    from .helpers import invite_board

    invite_board(meeting, alice, bob)
    upload(client_of(alice), meeting, "Early paper", capture=django_capture_on_commit_callbacks)
    assert told("Early paper") == []

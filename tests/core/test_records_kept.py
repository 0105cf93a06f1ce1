"""Records that cannot be deleted: a meeting past draft (with its items, minutes, invitations and
actions), a published paper, recommendations, decisions, notifications and the audit trail are
refused by the model, the queryset and the cascade from a parent row, and the admin offers no
delete for them. A draft meeting still goes, and its files are removed by a task after commit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AppendOnlyError, AuditEvent, FileStoreReport
from audit.tasks import check_file_store
from meetings.models import (
    Action,
    AgendaItem,
    DeclarationOfInterest,
    Meeting,
    MeetingInvitation,
    Paper,
    PaperVersion,
)
from notifications.models import Notification
from opportunities import review_services
from opportunities.models import Benefit, Opportunity, Recommendation, Referral, Review
from tests.deletion import refused
from tests.factories import ActionFactory, AgendaItemFactory, MeetingFactory, UserFactory
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def stored_paper(meeting, uploader, name="papers/2026/12/test.pdf"):
    paper = Paper.objects.create(meeting=meeting, title="Estates options")
    stored = default_storage.save(name, ContentFile(b"%PDF-1.4 test"))
    version = PaperVersion.objects.create(
        paper=paper,
        number=1,
        file=stored,
        original_name="estates.pdf",
        content_type="application/pdf",
        kind="pdf",
        size=13,
        uploaded_by=uploader,
    )
    paper.current_version = version
    paper.save()
    return paper, stored


# --- meetings -----------------------------------------------------------------------------------


def test_a_meeting_past_draft_cannot_be_deleted_nor_its_items_and_actions(held, bob):
    ActionFactory(meeting=held, owner=bob)
    with refused("cancel it instead"):
        held.delete()
    with refused():
        Meeting.objects.filter(pk=held.pk).delete()
    with refused("part of the record"):
        held.items.get().delete()
    with refused("No longer needed"):
        Action.objects.filter(meeting=held).delete()
    with refused():
        MeetingInvitation.objects.filter(meeting=held).delete()
    assert Meeting.objects.filter(pk=held.pk).exists()
    assert held.items.count() == 1 and held.actions.count() == 1


def test_approved_minutes_cannot_be_deleted(held):
    item = held.items.get()
    item.minutes = "Agreed."
    item.save()
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    with refused():
        AgendaItem.objects.filter(meeting=held).delete()
    assert AgendaItem.objects.get(pk=item.pk).minutes == "Agreed."


def test_a_published_paper_and_its_versions_cannot_be_deleted(published, alice):
    paper, stored = stored_paper(published, alice)
    with refused("upload a new version instead"):
        paper.delete()
    with refused():
        PaperVersion.objects.filter(paper=paper).delete()
    assert default_storage.exists(stored) and PaperVersion.objects.filter(paper=paper).exists()


def test_a_draft_meeting_goes_with_its_papers_and_their_files_after_commit(
    board, alice, django_capture_on_commit_callbacks
):
    draft = MeetingFactory(board=board, created_by=alice)
    AgendaItemFactory(meeting=draft)
    _, stored = stored_paper(draft, alice)
    with django_capture_on_commit_callbacks() as callbacks:
        draft.delete()
        assert default_storage.exists(stored)  # nothing removed before the commit
    assert not Meeting.objects.filter(pk=draft.pk).exists()
    for callback in callbacks:
        callback()
    assert not default_storage.exists(stored)


# --- the register, notifications and the audit trail ---------------------------------------------


def test_recommendations_and_decisions_cannot_be_deleted(record, assessed, police, fire):
    recommendation = record(assessed, [police, fire])
    with refused("supersede"):
        recommendation.delete()
    with refused("never deleted"):
        Referral.objects.filter(recommendation=recommendation).delete()
    with refused():
        Opportunity.objects.filter(pk=assessed.pk).delete()  # nor by the cascade
    assert Recommendation.objects.count() == 1 and Referral.objects.count() == 2


def test_notifications_cannot_be_deleted_even_with_their_recipient(board, bob):
    Notification.objects.create(
        recipient=bob, board=board, kind="papers_published", subject="Papers", event_key="k"
    )
    with refused():
        Notification.objects.all().delete()
    with refused():
        bob.delete()
    assert Notification.objects.count() == 1


def test_audit_events_cannot_be_deleted(opportunity):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.for_subject(opportunity).delete()


# --- the administration site -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [Meeting, MeetingInvitation, Paper, Action, Notification, Recommendation, Referral]
)
def test_the_admin_offers_no_bulk_delete_of_records(superuser_request, model):
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(superuser_request)
    assert "delete_selected" not in model_admin.get_actions(superuser_request)


def test_the_admin_deletes_a_draft_meeting_but_not_a_held_one(
    client, superuser_request, board, alice, held
):
    draft = MeetingFactory(board=board, created_by=alice)
    model_admin = admin.site._registry[Meeting]
    assert model_admin.has_delete_permission(superuser_request, draft)
    assert not model_admin.has_delete_permission(superuser_request, held)
    client.force_login(superuser_request.user)
    pass_second_factor(client, superuser_request.user)
    response = client.post(
        reverse("admin:meetings_meeting_delete", args=[held.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Meeting.objects.filter(pk=held.pk).exists()
    client.post(reverse("admin:meetings_meeting_delete", args=[draft.pk]), {"post": "yes"})
    assert not Meeting.objects.filter(pk=draft.pk).exists()


# --- the weekly file store check ---------------------------------------------------------------


def test_the_weekly_check_reports_orphaned_files_and_rows_missing_their_file(
    published, alice, caplog
):
    _, kept = stored_paper(published, alice, "papers/2026/12/kept.pdf")
    _, lost = stored_paper(published, alice, "papers/2026/12/lost.pdf")
    default_storage.delete(lost)
    orphan = default_storage.save("papers/2026/11/orphan.pdf", ContentFile(b"left behind"))

    report = FileStoreReport.objects.get(pk=check_file_store())

    assert report.orphaned == [orphan]
    assert len(report.missing) == 1 and report.missing[0].endswith(f"file: {lost}")
    assert report.files_stored == 2
    assert report.summary == "1 orphaned, 1 missing"
    assert f"Orphaned file in the store (no row names it): {orphan}" in caplog.text
    assert kept not in caplog.text


def test_the_report_is_in_the_admin_for_the_system_owner(client, superuser_request, published):
    check_file_store()
    client.force_login(superuser_request.user)
    pass_second_factor(client, superuser_request.user)
    response = client.get(reverse("admin:audit_filestorereport_changelist"))
    assert response.status_code == 200
    assert "all 0 files accounted for" in response.content.decode()


def test_reviews_and_their_benefits_are_kept(in_delivery, owen, police):
    review = review_services.review_record(
        opportunity=in_delivery,
        actor=owen,
        held_on=timezone.localdate(),
        conclusion="On track.",
        rag="green",
        next_review_on=timezone.localdate() + timedelta(days=90),
        benefits=[review_services.BodyBenefit(organisation=police, cashable=Decimal("100"))],
    )
    with refused("opportunity's record"):
        review.delete()
    with refused("kept as history"):
        Benefit.objects.all().delete()
    assert Review.objects.count() == 1 and Benefit.objects.count() == 1


def test_a_declaration_is_kept_once_the_meeting_has_left_draft(held, alice, bob):
    DeclarationOfInterest.objects.create(
        meeting=held, person=bob, nature="Trustee of a local charity.", recorded_by=alice
    )
    with refused("declaration of interest is part of the meeting's record"):
        DeclarationOfInterest.objects.filter(meeting=held).delete()
    assert DeclarationOfInterest.objects.count() == 1


def test_deleting_a_person_with_notifications_in_the_admin_is_refused(
    client, superuser_request, board, bob
):
    Notification.objects.create(
        recipient=bob, board=board, kind="papers_published", subject="Papers", event_key="k"
    )
    client.force_login(superuser_request.user)
    pass_second_factor(client, superuser_request.user)
    url = reverse("admin:boards_user_delete", args=[bob.pk])
    page = client.get(url).content.decode()
    assert "Cannot delete person" in page and "notification" in page
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(bob).objects.filter(pk=bob.pk).exists()


def test_a_refused_delete_in_the_admin_comes_back_with_the_reason(
    client, superuser_request, board, alice, monkeypatch
):
    """Should a refusal come from a row the admin did not list (a cascade to a model it does
    not show), the page says why instead of failing."""
    draft = MeetingFactory(board=board, created_by=alice)
    monkeypatch.setattr(Meeting, "deletion_refusal", lambda self: "Kept for the test.")
    model_admin = admin.site._registry[Meeting]
    monkeypatch.setattr(type(model_admin), "has_delete_permission", lambda *args: True)
    client.force_login(superuser_request.user)
    pass_second_factor(client, superuser_request.user)
    response = client.post(
        reverse("admin:meetings_meeting_delete", args=[draft.pk]), {"post": "yes"}, follow=True
    )
    assert "Nothing was deleted. Kept for the test." in response.content.decode()
    assert Meeting.objects.filter(pk=draft.pk).exists()

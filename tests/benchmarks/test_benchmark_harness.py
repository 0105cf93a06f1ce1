"""The benchmark measures what it says: its bare view goes through every middleware, its sessions
have passed the second factor, and the audit events it copies in bulk keep the hash chain."""

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import clear_url_caches
from django.utils import timezone

from audit.chain import chain_breaks
from audit.models import AuditEvent
from audit.services import audit_record
from core.markings import Descriptor, Level
from opportunities.models import Opportunity, Recommendation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bulk_data
import signed_in


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.mark.django_db
def test_the_bare_view_sends_an_anonymous_visitor_to_sign_in(client, bench_urls):
    response = client.get("/bench/bare/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/bench/bare/"


@pytest.mark.django_db
def test_the_bare_view_answers_a_signed_in_member_through_the_middleware(
    client_of, bob, bench_urls
):
    response = client_of(bob).get("/bench/bare/")
    assert response.status_code == 200
    assert response.content == b"<!doctype html><title>Bare</title><p>Signed in.</p>\n"
    assert "no-store" in response["Cache-Control"]  # SignedInNoStoreMiddleware ran
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_the_bare_view_asks_the_secretariat_for_a_second_factor_first(client, alice, bench_urls):
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/bench/bare/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/set-up/")


@pytest.mark.django_db
def test_the_benchmark_session_of_the_secretariat_has_passed_the_second_factor(
    client, alice, bench_urls
):
    client.cookies["sessionid"] = signed_in._sign_in(alice.email)
    assert client.get("/bench/bare/").status_code == 200
    assert client.get("/password/change/done/").status_code == 200


@pytest.mark.django_db
def test_the_benchmark_session_of_a_member_reaches_the_portal_pages(client, bob, bench_urls):
    client.cookies["sessionid"] = signed_in._sign_in(bob.email)
    assert client.get("/register/").status_code == 200


@pytest.mark.django_db
def test_audit_events_copied_in_bulk_continue_the_hash_chain(board, alice):
    audit_record(subject=board, actor=alice, verb="test", summary="Before the bulk events")
    before = AuditEvent.objects.count()
    start = timezone.now()
    rows = (
        (start + timedelta(seconds=n, microseconds=n), alice.pk, None, None, "edited", f"Bulk {n}")
        for n in range(50)
    )
    bulk_data.copy_audit_events(rows, 50)
    audit_record(subject=board, actor=alice, verb="test", summary="After the bulk events")
    assert AuditEvent.objects.count() == before + 51
    assert list(chain_breaks()) == []
    last = AuditEvent.objects.order_by("-chain_position").first()
    assert last is not None and last.summary == "After the bulk events"


@pytest.mark.django_db
def test_rows_copied_in_bulk_get_ids_and_their_search_documents(board, police, bob):
    made = bulk_data.copy_insert(
        Opportunity,
        (
            Opportunity(
                board=board,
                title=f"Shared drone unit {n}",
                summary="Joint working.",
                lead_organisation=police,
                proposed_by=bob,
            )
            for n in range(3)
        ),
    )
    ids = [o.pk for o in made]
    assert len(set(ids)) == 3 and all(ids)
    stored = Opportunity.objects.filter(pk__in=ids)
    assert sorted(stored.values_list("title", flat=True)) == [
        "Shared drone unit 0",
        "Shared drone unit 1",
        "Shared drone unit 2",
    ]
    assert all(o.search_document for o in stored)
    # The table's sequence moved past them: an ordinary save gets a new id.
    later = Opportunity.objects.create(
        board=board,
        title="Later",
        summary="Joint working.",
        lead_organisation=police,
        proposed_by=bob,
    )
    assert later.pk > max(ids)


@pytest.mark.django_db
def test_a_marking_copied_in_bulk_keeps_its_descriptors(board, police, bob):
    """A field of its own (the descriptors, a set in Python, text in the table) is copied the
    way Django saves it, not as the Python value."""
    opportunity = Opportunity.objects.create(
        board=board,
        title="Shared estates",
        summary="Joint working.",
        lead_organisation=police,
        proposed_by=bob,
    )
    today = timezone.localdate()
    (made,) = bulk_data.copy_insert(
        Recommendation,
        [
            Recommendation(
                opportunity=opportunity,
                version=1,
                wording="Share the estate.",
                agreed_on=today,
                decision_due_on=today,
                recorded_by=bob,
                marking=Level.OFFICIAL_SENSITIVE,
                marking_descriptors=frozenset({Descriptor.PERSONAL, Descriptor.COMMERCIAL}),
            )
        ],
    )
    stored = Recommendation.objects.get(pk=made.pk)
    assert stored.marking_descriptors == {Descriptor.COMMERCIAL, Descriptor.PERSONAL}
    assert Recommendation.objects.filter(
        pk=made.pk, marking_descriptors="commercial,personal"
    ).exists()

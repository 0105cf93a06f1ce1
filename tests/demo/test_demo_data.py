"""The demonstration data as ``seed_demo`` leaves it in an empty database, loaded once for this
module's tests, which only read it: each test's own changes are rolled back, and the database is
emptied after the last. (Loading it, twice, and refusing to in production: test_seed_demo.py.)"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from bluelight.celery import app as celery_app
from boards.models import Board, BoardMembership, ExecutiveAuthority, Organisation, User
from boards.two_factor import is_required_for
from demo.boards import BOARD_SLUG, DEMO_PASSWORD
from meetings.models import Meeting
from notifications.models import Notification
from opportunities.models import Opportunity, Referral, Status
from tests.two_factor import code_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_media(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run once, as each test here used to run it first (the fast hasher, tasks
    in-process); its files kept in a folder of the module's own. The database is emptied after."""
    media = tmp_path_factory.mktemp("demo-media")
    in_process = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                SITE_URL="https://portal.example.org",
                DASHBOARD_CACHE_SECONDS=0,
                MEDIA_ROOT=media,
            ),
        ):
            call_command("seed_demo", stdout=io.StringIO())
    finally:
        celery_app.conf.task_always_eager = in_process
    yield media
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, demo_media):
    """The demo's papers, packs and minutes where seed_demo wrote them."""
    settings.MEDIA_ROOT = demo_media


def test_seed_demo_has_every_role_and_the_prospective_ambulance_service():
    board = Board.objects.get()
    assert board.name == "Warwickshire Blue Light Collaboration Joint Advisory Board"
    assert set(board.organisations.values_list("short_name", flat=True)) == {
        "Police",
        "WFRS",
        "WCC",
        "OPCC",
        "WMAS",
    }
    assert not Organisation.objects.get(short_name="WMAS").active
    roles = set(BoardMembership.objects.values_list("role", flat=True))
    assert {"chair", "vice_chair", "member", "secretariat"} <= roles
    members_by_body = set(
        BoardMembership.objects.filter(role="member").values_list(
            "organisation__short_name", flat=True
        )
    )
    assert members_by_body == {"Police", "WFRS", "WCC", "OPCC"}
    executives = sorted(
        ExecutiveAuthority.objects.values_list("organisation__short_name", flat=True)
    )
    assert executives == ["OPCC", "Police", "WCC", "WFRS"]
    assert all(person.check_password(DEMO_PASSWORD) for person in User.objects.all())
    assert User.objects.filter(is_superuser=True).count() == 1


def test_seed_demo_has_the_inaugural_a_recent_and_two_upcoming_meetings():
    inaugural = Meeting.objects.get(title="Inaugural meeting")
    assert inaugural.venue == "Shire Hall, Warwick"
    assert str(inaugural.starts_at.date()) == "2017-12-06"
    assert inaugural.status == Meeting.Status.MINUTES_APPROVED
    assert inaugural.minutes_pdf_state == Meeting.FileState.READY
    recent = Meeting.objects.get(title="Autumn meeting")
    assert not recent.is_upcoming and recent.papers.count() == 3 and recent.actions.count() == 3
    assert recent.pack_state == Meeting.FileState.READY
    upcoming = Meeting.objects.filter(starts_at__gt=timezone.now())
    assert upcoming.count() == 2


def test_every_demo_person_can_sign_in_and_see_their_home_page(client):
    for person in User.objects.all():
        client.logout()
        response = client.post(
            "/sign-in/", {"username": person.email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, person.email
        if response.redirect_chain[-1][0].startswith(reverse("two_factor_setup")):
            # The secretariat, chairs, executives and the administrator set up a second factor.
            assert is_required_for(person), person.email
            device = TOTPDevice.objects.get(user=person, confirmed=False)
            client.post(reverse("two_factor_setup"), {"otp_token": code_of(device)})
            response = client.get(reverse("home"))
        assert f"Welcome, {person.full_name}" in response.content.decode(), person.email


def test_seed_demo_builds_a_register_in_every_kind_of_state():
    statuses = set(Opportunity.objects.values_list("status", flat=True))
    assert {
        Status.PROPOSED,
        Status.UNDER_ASSESSMENT,
        Status.RECOMMENDED,
        Status.AWAITING_DECISIONS,
        Status.APPROVED,
        Status.NOT_APPROVED,
        Status.IN_DELIVERY,
        Status.IMPLEMENTED,
        Status.ON_HOLD,
        Status.WITHDRAWN,
    } <= statuses
    assert Opportunity.objects.count() == 13
    decided = Referral.objects.exclude(status="pending").count()
    pending = Referral.objects.filter(status="pending", sent_at__isnull=False).count()
    assert decided >= 10 and pending >= 3
    assert AuditEvent.objects.count() > 50
    assert not Notification.objects.exists()  # loading demo data e-mails nobody


def test_the_demo_boards_public_pages_show_approved_minutes_without_the_confidential_item(client):
    board = Board.objects.get(slug=BOARD_SLUG)
    assert board.public_pages_enabled
    inaugural = Meeting.objects.get(title="Inaugural meeting")
    secret = inaugural.items.get(confidential=True)
    assert "Budbrooke" in secret.title and "Budbrooke" in secret.minutes
    pages = [
        f"/public/{board.slug}/",
        f"/public/{board.slug}/meetings/",
        f"/public/{board.slug}/collaborations/",
        *(f"/public/{board.slug}/meetings/{m.pk}/" for m in board.meetings.exclude(status="draft")),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Budbrooke" not in response.content.decode(), url
    minutes = client.get(f"/public/{board.slug}/meetings/{inaugural.pk}/").content.decode()
    assert "The board agreed its terms of reference." in minutes


def test_seed_demo_keeps_opportunities_under_review_with_their_benefits():
    from datetime import timedelta

    from django.db.models import Sum

    from opportunities.models import Benefit, Review

    today = timezone.localdate()
    reviewed = Opportunity.objects.filter(reviews__isnull=False).distinct()
    assert reviewed.count() >= 4
    for opportunity in reviewed:
        held = list(opportunity.reviews.values_list("held_on", flat=True))
        assert 2 <= len(held) <= 4
        assert min(held) >= today - timedelta(days=550)
    in_review = Opportunity.objects.under_review()
    assert in_review.filter(next_review_on__lt=today).count() == 1
    assert in_review.filter(
        next_review_on__gte=today, next_review_on__lte=today + timedelta(days=14)
    ).exists()
    realised = Benefit.objects.filter(kind="realised").aggregate(total=Sum("cashable"))["total"]
    assert 50000 < realised < 500000
    assert Benefit.objects.filter(kind="estimated").values("organisation").distinct().count() >= 3
    assert Review.objects.filter(benefits__isnull=False).exists()


def test_seed_demo_shows_an_answered_deferral_a_decision_on_behalf_and_one_not_pursued():
    from opportunities.models import ReferralEvent

    answered = Referral.objects.get(
        recommendation__opportunity__title="Single facilities management contract",
        organisation__short_name="Police",
    )
    steps = list(answered.events.values_list("kind", "outcome"))
    assert steps == [("decision", "deferred"), ("answer", ""), ("decision", "approved")]
    on_behalf = Referral.objects.get(on_behalf=True)
    assert on_behalf.decision_forum == "Cabinet"
    assert on_behalf.decision_taken_on == timezone.localdate(on_behalf.decided_at) - timedelta(
        days=1
    )
    assert "on behalf of Warwickshire County Council" in on_behalf.decider
    assert on_behalf.recorded_by.email == "priya.shah@warwickshire-cc.example"
    assert ReferralEvent.objects.filter(on_behalf=True).count() == 1
    withdrawn = Opportunity.objects.get(status=Status.WITHDRAWN)
    assert withdrawn.not_pursued_on is not None and withdrawn.revisit_on is not None
    assert "Road Safety Partnership" in withdrawn.not_pursued_reason

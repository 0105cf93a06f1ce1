import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from boards.models import Board, BoardMembership, ExecutiveAuthority, Organisation, User
from demo.boards import DEMO_PASSWORD
from meetings.models import (
    Action,
    AgendaItem,
    DeclarationOfInterest,
    Meeting,
    MeetingInvitation,
    PaperVersion,
)
from notifications.models import Notification
from opportunities.models import Opportunity, Referral

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "organisations": sorted(Organisation.objects.values_list("short_name", "kind", "active")),
        "boards": sorted(Board.objects.values_list("slug", "name", "quorum_bodies")),
        "board_members": sorted(
            Board.organisations.through.objects.values_list(
                "board__slug", "organisation__short_name"
            )
        ),
        "people": sorted(
            User.objects.values_list(
                "email", "full_name", "organisation__short_name", "is_staff", "password"
            )
        ),
        "memberships": sorted(
            BoardMembership.objects.values_list(
                "person__email",
                "board__slug",
                "organisation__short_name",
                "role",
                "starts_on",
                "ends_on",
            )
        ),
        "opportunities": sorted(
            Opportunity.objects.values_list("title", "status", "lead_organisation__short_name")
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "recommendation__opportunity__title", "organisation__short_name", "status"
            )
        ),
        "audit_events": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "authorities": sorted(
            ExecutiveAuthority.objects.values_list(
                "person__email", "organisation__short_name", "starts_on"
            )
        ),
        "meetings": sorted(
            Meeting.objects.values_list(
                "board__slug", "title", "starts_at", "venue", "status", "uid", "pack_state"
            )
        ),
        "invitations": sorted(
            MeetingInvitation.objects.values_list(
                "meeting__title", "person__email", "reply", "attendance"
            )
        ),
        "items": sorted(
            AgendaItem.objects.values_list("meeting__title", "position", "title", "confidential")
        ),
        "papers": sorted(
            PaperVersion.objects.values_list("paper__meeting__title", "paper__title", "number")
        ),
        "declarations": sorted(
            DeclarationOfInterest.objects.values_list("meeting__title", "person__email")
        ),
        "actions": sorted(
            Action.objects.values_list("meeting__title", "description", "owner__email", "status")
        ),
    }


def test_seed_demo_twice_gives_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_has_the_bodies_forums_a_forward_plan_and_a_published_version():
    from forwardplan.models import DecisionForum, PlanEntry, PublishedPlan

    call_command("seed_demo")
    call_command("seed_demo")
    assert set(DecisionForum.objects.values_list("organisation__short_name", flat=True)) == {
        "WCC",
        "OPCC",
        "Police",
        "WFRS",
    }
    assert all(forum.meetings.count() == 5 for forum in DecisionForum.objects.all())
    entries = PlanEntry.objects.select_related("referral", "forum_meeting")
    assert entries.exists()
    assert all(entry.referral.due_on == entry.forum_meeting.date for entry in entries)
    assert entries.filter(private=True, exempt_paragraph__isnull=False).count() == 1
    assert PublishedPlan.objects.count() == 1
    assert len(PublishedPlan.objects.get().entries) >= 1

"""The move from one descriptor to a set of them keeps every descriptor, and a body's decision
takes the marking it was recorded with (its notice's)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from boards.models import Organisation
from core.markings import Descriptor, Level, Marking
from meetings.models import AgendaItem
from opportunities.models import DecisionNotice, Referral
from tests.factories import AgendaItemFactory, MeetingFactory
from tests.opportunities.helpers import decide, referral_for

BEFORE = [
    ("boards", "0014_personal_api_tokens"),
    ("meetings", "0014_the_substitute_named_by_the_secretariat"),
    ("opportunities", "0017_merge_delivery_milestones"),
]
COMMERCIAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_descriptors_and_marks_decisions_as_recorded(
    referred, board, alice, fire, police, erin, pat
):
    item = AgendaItemFactory(
        meeting=MeetingFactory(board=board, created_by=alice),
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=Descriptor.LOCSEN,
    )
    sensitive = referral_for(referred, fire)
    decide(sensitive, erin, marking=COMMERCIAL)
    official = referral_for(referred, police)
    decide(official, pat, marking=Marking())
    assert DecisionNotice.objects.get(referral=sensitive).handling == COMMERCIAL
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        OldOrganisation = apps.get_model("boards", "Organisation")
        OldOrganisation.objects.filter(pk=police.pk).update(
            default_marking=Level.OFFICIAL_SENSITIVE, default_marking_descriptor="personal"
        )
        OldItem = apps.get_model("meetings", "AgendaItem")
        assert OldItem.objects.get(pk=item.pk).marking_descriptor == "locsen"
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        call_command("migrate", verbosity=0)
    assert AgendaItem.objects.get(pk=item.pk).handling.text == "OFFICIAL-SENSITIVE LOCSEN"
    assert Organisation.objects.get(pk=police.pk).default_handling.text == (
        "OFFICIAL-SENSITIVE PERSONAL"
    )
    assert Referral.objects.get(pk=sensitive.pk).handling == COMMERCIAL
    assert not Referral.objects.get(pk=official.pk).is_sensitive

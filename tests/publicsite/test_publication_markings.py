"""The handling-marking rule on every public surface built for publication: the Part 1 pack,
the Part 1 minutes PDF, each report, the decision register and its notices, the collaboration
pages with their milestones, and the Atom feed. A visitor walks them all and never meets
anything OFFICIAL-SENSITIVE (titles, text or file bytes), and each such thing's own address
is a 404."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from core.markings import Descriptor, Level
from meetings.models import Meeting, Paper
from opportunities.models import Milestone, Opportunity, Recommendation, Referral
from tests.factories import AgendaItemFactory, PaperFactory

from .test_publication_rule import walk

pytestmark = pytest.mark.django_db

SENSITIVE = {"marking": Level.OFFICIAL_SENSITIVE, "marking_descriptors": Descriptor.COMMERCIAL}
SECRET = "Osprey"


def stored(meeting: Meeting, field: str, text: bytes) -> None:
    """A built file on the meeting, holding ``text``."""
    file = getattr(meeting, field)
    file.save(f"{field}.pdf", ContentFile(b"%PDF-1.4\n" + text), save=False)
    Meeting.objects.filter(pk=meeting.pk).update(**{field: file.name})


@pytest.fixture
def sensitive_world(everything, alice):
    approved, published = everything["approved"], everything["published"]
    for meeting in (approved, published):
        item = AgendaItemFactory(
            meeting=meeting,
            position=7,
            title=f"{SECRET} tender",
            minutes=f"{SECRET} prices.",
            **SENSITIVE,
        )
        PaperFactory(meeting=meeting, agenda_item=item, title=f"{SECRET} item paper")
        open_item = meeting.items.get(position=1)
        PaperFactory(meeting=meeting, agenda_item=open_item, title=f"{SECRET} annex", **SENSITIVE)
        PaperFactory(meeting=meeting, agenda_item=open_item, title="Estates options")
    # Built files whose marking (the strictest of what they hold) is OFFICIAL-SENSITIVE.
    stored(approved, "pack_file", SECRET.encode())
    stored(approved, "minutes_pdf", SECRET.encode())
    Meeting.objects.filter(pk=approved.pk).update(
        pack_state=Meeting.FileState.READY,
        minutes_pdf_state=Meeting.FileState.READY,
        pack_marking="OFFICIAL-SENSITIVE COMMERCIAL",
        minutes_marking="OFFICIAL-SENSITIVE COMMERCIAL",
    )
    # An approved collaboration recommended as OFFICIAL-SENSITIVE, with decisions, milestones
    # and feed entries.
    southam = Opportunity.objects.get(title="Shared station at Southam")
    Opportunity.objects.filter(pk=southam.pk).update(title=f"{SECRET} shared station")
    Recommendation.objects.filter(opportunity=southam).update(**SENSITIVE)
    Referral.objects.filter(recommendation__opportunity=southam).update(
        decision_reference=f"{SECRET}/REF", conditions=f"{SECRET} condition."
    )
    Milestone.objects.create(
        opportunity=southam,
        title=f"{SECRET} milestone",
        due_on=timezone.localdate() + timedelta(days=20),
        percent_complete=50,
        created_by=alice,
    )
    audit_record(subject=approved, actor=alice, verb="meeting.minutes_approved", summary="")
    return {**everything, "southam": southam}


def test_no_public_page_file_or_feed_entry_shows_anything_sensitive(
    client, public_board, sensitive_world
):
    pages = walk(client, public_board)
    assert reverse("public_feed", args=[public_board.slug]) in pages
    assert any("/papers/" in url for url in pages)  # the OFFICIAL reports are reached
    for url, body in pages.items():
        assert SECRET not in body, url


def test_each_sensitive_paper_has_no_public_address(client, public_board, sensitive_world):
    papers = Paper.objects.filter(title__startswith=SECRET)
    assert papers.count() == 4
    for paper in papers:
        url = reverse("public_paper", args=[public_board.slug, paper.meeting_id, paper.pk])
        assert client.get(url).status_code == 404, paper.title
    official = Paper.objects.get(title="Estates options", meeting=sensitive_world["approved"])
    url = reverse("public_paper", args=[public_board.slug, official.meeting_id, official.pk])
    assert client.get(url).status_code == 200


def test_a_pack_and_minutes_marked_sensitive_are_not_served_and_are_once_official(
    client, public_board, sensitive_world
):
    approved = sensitive_world["approved"]
    pack = reverse("public_pack", args=[public_board.slug, approved.pk])
    minutes = reverse("public_minutes_pdf", args=[public_board.slug, approved.pk])
    assert client.get(pack).status_code == 404
    assert client.get(minutes).status_code == 404
    Meeting.objects.filter(pk=approved.pk).update(
        pack_marking="OFFICIAL", minutes_marking="OFFICIAL"
    )
    assert client.get(pack).status_code == 200
    assert client.get(minutes).status_code == 200


def test_the_decisions_and_milestones_of_a_sensitive_recommendation_are_not_public(
    client, public_board, sensitive_world
):
    southam = sensitive_world["southam"]
    slug = public_board.slug
    assert client.get(reverse("public_collaboration", args=[slug, southam.pk])).status_code == 404
    for referral in Referral.objects.filter(recommendation__opportunity=southam):
        url = reverse("public_decision", args=[slug, referral.pk])
        assert client.get(url).status_code == 404
    Recommendation.objects.filter(opportunity=southam).update(
        marking=Level.OFFICIAL, marking_descriptors=""
    )
    assert client.get(reverse("public_collaboration", args=[slug, southam.pk])).status_code == 200

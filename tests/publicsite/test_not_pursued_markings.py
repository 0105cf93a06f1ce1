"""The public "considered and not pursued" register never names what was set aside after an
OFFICIAL-SENSITIVE recommendation: it is left out of the page, of its API answer and of the
Atom feed, like an OFFICIAL-SENSITIVE opportunity from the public register; an OFFICIAL one is
shown as before."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from boards.models import Board
from core.markings import Level
from opportunities.models import Opportunity, Recommendation, Status
from publicsite import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_aside(referred, public_board):
    """The referred opportunity withdrawn, and an official one withdrawn beside it."""
    Board.objects.filter(pk=public_board.pk).update(public_not_pursued=True)
    sensitive = referred.opportunity
    Opportunity.objects.filter(pk=sensitive.pk).update(
        title="Osprey custody merger",
        status=Status.WITHDRAWN,
        not_pursued_on=timezone.localdate(),
        not_pursued_reason="Osprey costs were too high.",
    )
    Recommendation.objects.filter(pk=referred.pk).update(marking=Level.OFFICIAL_SENSITIVE)
    official = Opportunity.objects.create(
        board=public_board,
        title="Shared fleet workshop",
        summary="Maintain the fleets together.",
        theme=sensitive.theme,
        lead_organisation=sensitive.lead_organisation,
        proposed_by=sensitive.proposed_by,
        status=Status.WITHDRAWN,
        not_pursued_on=timezone.localdate(),
        not_pursued_reason="The depots are too far apart.",
    )
    return sensitive, official


def test_the_rule_leaves_out_what_followed_a_sensitive_recommendation(public_board, set_aside):
    _, official = set_aside
    public_board.refresh_from_db()
    shown = set(permissions.public_not_pursued(public_board).values_list("pk", flat=True))
    assert shown == {official.pk}


def test_the_page_names_the_official_one_only(client, public_board, set_aside):
    page = client.get(reverse("public_not_pursued", args=[public_board.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Shared fleet workshop" in body
    assert "Osprey" not in body


def test_the_api_answer_names_the_official_one_only(public_board, set_aside):
    answer = Client().get(f"/api/public/{public_board.slug}/not-pursued?limit=100")
    assert answer.status_code == 200
    assert b"Osprey" not in answer.content
    assert b"Shared fleet workshop" in answer.content


def test_the_feed_never_names_it(client, public_board, set_aside):
    feed = client.get(reverse("public_feed", args=[public_board.slug]))
    assert feed.status_code == 200
    assert b"Osprey" not in feed.content


def test_lowered_to_official_it_is_published(client, public_board, set_aside, referred):
    Recommendation.objects.filter(pk=referred.pk).update(marking=Level.OFFICIAL)
    body = client.get(reverse("public_not_pursued", args=[public_board.slug])).content.decode()
    assert "Osprey custody merger" in body

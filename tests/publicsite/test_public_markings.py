"""OFFICIAL-SENSITIVE matter is never published: the one publication rule (``unpublishable``,
in ``meetings.selectors`` and ``publicsite.permissions``) checked item by item against every
public surface, like the exempt rule."""

import pytest
from django.urls import reverse

from core.markings import Descriptor, Level
from meetings.models import Meeting
from meetings.selectors import NOT_PUBLISHED_SENSITIVE
from opportunities.models import Recommendation, Referral, Status
from publicsite import permissions
from tests.factories import AgendaItemFactory, PaperFactory

pytestmark = pytest.mark.django_db

SENSITIVE = {"marking": Level.OFFICIAL_SENSITIVE, "marking_descriptors": Descriptor.COMMERCIAL}


@pytest.fixture
def marked(approved_meeting, published_meeting):
    """An open but OFFICIAL-SENSITIVE item on each public meeting, with minutes and a paper,
    and an OFFICIAL-SENSITIVE paper on an OFFICIAL open item."""
    made = {}
    for key, meeting in (("approved", approved_meeting), ("published", published_meeting)):
        item = AgendaItemFactory(
            meeting=meeting,
            position=5,
            title=f"Kestrel tender for {key}",
            minutes="Kestrel prices were discussed.",
            **SENSITIVE,
        )
        PaperFactory(meeting=meeting, agenda_item=item, title="Kestrel prices paper")
        open_item = meeting.items.get(position=1)
        PaperFactory(meeting=meeting, agenda_item=open_item, title="Kestrel annex", **SENSITIVE)
        PaperFactory(meeting=meeting, agenda_item=open_item, title="Public estates paper")
        made[key] = (meeting, item)
    return made


def meeting_page(client, meeting):
    response = client.get(reverse("public_meeting", args=[meeting.board.slug, meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_sensitive_item_is_shown_only_by_its_number_on_each_public_meeting(
    client, public_board, marked
):
    for meeting, item in marked.values():
        page = meeting_page(client, meeting)
        assert "Kestrel" not in page
        number = [i.pk for i in meeting.items.all()].index(item.pk) + 1
        assert f"Item {number}: {NOT_PUBLISHED_SENSITIVE}" in page


def test_each_item_is_on_the_public_page_exactly_when_the_rule_publishes_it(
    client, public_board, marked
):
    for meeting, _ in marked.values():
        page = meeting_page(client, meeting)
        public = set(permissions.public_items(meeting).values_list("pk", flat=True))
        for item in meeting.items.all():
            assert (item.title in page) == (item.pk in public), item.title
            if item.is_sensitive:
                assert item.pk not in public


def test_sensitive_papers_and_the_papers_of_sensitive_items_are_never_public(public_board, marked):
    for meeting, _ in marked.values():
        titles = set(permissions.public_papers(meeting).values_list("title", flat=True))
        assert "Public estates paper" in titles
        assert not any("Kestrel" in title for title in titles)


def test_a_pack_or_minutes_marked_sensitive_is_never_public(public_board, marked):
    meeting, _ = marked["approved"]
    Meeting.objects.filter(pk=meeting.pk).update(
        pack_state=Meeting.FileState.READY, minutes_pdf_state=Meeting.FileState.READY
    )
    meeting.refresh_from_db()
    assert permissions.pack_is_public(meeting)
    assert permissions.minutes_pdf_is_public(meeting)
    meeting.pack_marking = meeting.minutes_marking = "OFFICIAL-SENSITIVE COMMERCIAL"
    assert not permissions.pack_is_public(meeting)
    assert not permissions.minutes_pdf_is_public(meeting)


def test_an_opportunity_recommended_as_sensitive_stays_out_of_the_public_register(
    client, public_board, register
):
    url = reverse("public_register", args=[public_board.slug])
    assert "Shared station at Southam" in client.get(url).content.decode()
    southam = register[Status.APPROVED]
    Recommendation.objects.filter(opportunity=southam).update(**SENSITIVE)
    page = client.get(url).content.decode()
    assert "Shared station at Southam" not in page
    assert "Joint control room" in page  # the others stay
    assert southam not in permissions.public_opportunities(public_board)
    assert Referral.objects.filter(recommendation__opportunity=southam).exists()


def test_nothing_sensitive_reaches_any_public_page(client, public_board, marked, everything):
    urls = [
        reverse("public_home", args=[public_board.slug]),
        reverse("public_meeting_list", args=[public_board.slug]),
        reverse("public_register", args=[public_board.slug]),
        *(
            reverse("public_meeting", args=[public_board.slug, m.pk])
            for m in everything.values()
            if isinstance(m, Meeting) and m.board_id == public_board.pk
        ),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "Kestrel" not in response.content.decode(), url

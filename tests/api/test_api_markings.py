"""OFFICIAL-SENSITIVE matter never reaches a public API answer (issue 17), by the same rules as
the public pages (``publicsite.permissions``, ``meetings.selectors``): every endpoint under
/api/public/ is read as raw bytes. Signed in, a body that keeps its OFFICIAL-SENSITIVE decision
documents within itself has them named to no other body's executive through the API, as on the
page (``opportunities.permissions.can_view_decision_record``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from boards.models import Board
from core import uploads
from core.markings import Descriptor, Level, Marking
from meetings.models import Meeting
from meetings.selectors import NOT_PUBLISHED_SENSITIVE
from opportunities.models import Opportunity, Recommendation, Referral, Status
from opportunities.permissions import can_view_decision_record
from tests.factories import AgendaItemFactory, PaperFactory
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db

SENSITIVE = {"marking": Level.OFFICIAL_SENSITIVE, "marking_descriptors": Descriptor.COMMERCIAL}
# Every word below is unique to OFFICIAL-SENSITIVE matter.
SECRET_WORDS = ("Kestrel", "Osprey")


@pytest.fixture
def marked(public_board, approved_meeting, published_meeting, register, alice):
    """On each public meeting an open OFFICIAL-SENSITIVE item with minutes and a paper, and an
    OFFICIAL-SENSITIVE paper on an OFFICIAL item; in the register, an approved opportunity whose
    current recommendation is OFFICIAL-SENSITIVE COMMERCIAL. The board publishes what it did not
    pursue."""
    Board.objects.filter(pk=public_board.pk).update(public_not_pursued=True)
    items = {}
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
        items[key] = (meeting, item)
    southam = register[Status.APPROVED]
    Opportunity.objects.filter(pk=southam.pk).update(title="Osprey shared station")
    Recommendation.objects.filter(opportunity=southam).update(
        wording="Osprey commercial wording.", **SENSITIVE
    )
    # Withdrawn after an OFFICIAL-SENSITIVE recommendation: never named as not pursued (its
    # title and reason are the sensitive matter), nor its recommendation's wording.
    walrus = register[Status.WITHDRAWN]
    Opportunity.objects.filter(pk=walrus.pk).update(
        not_pursued_on=timezone.localdate(), not_pursued_reason="Funding ended."
    )
    Recommendation.objects.create(
        opportunity=walrus,
        version=1,
        wording="Osprey withdrawn wording.",
        agreed_on=timezone.localdate(),
        decision_due_on=timezone.localdate(),
        recorded_by=alice,
        **SENSITIVE,
    )
    return items


def public_answers(board, meetings):
    """Every public endpoint's answer for the board, as raw bytes, by address."""
    client = Client()
    urls = [
        f"/api/public/{board.slug}/{path}?limit=100"
        for path in (
            "meetings",
            "register",
            "delivery",
            "decisions",
            "not-pursued",
            "forward-plan",
            "published",
        )
    ]
    urls += [f"/api/public/{board.slug}/meetings/{meeting.pk}" for meeting in meetings]
    urls += [
        f"/api/public/{board.slug}/decisions/{referral.pk}"
        for referral in Referral.objects.filter(recommendation__opportunity__board=board)
        if Client().get(f"/api/public/{board.slug}/decisions/{referral.pk}").status_code == 200
    ]
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.content
    return answers


def test_nothing_sensitive_reaches_any_public_answer(public_board, marked, cancelled_meeting):
    meetings = Meeting.objects.filter(board=public_board).exclude(status=Meeting.Status.DRAFT)
    assert meetings.count() >= 3
    answers = public_answers(public_board, meetings)
    for url, body in answers.items():
        for word in SECRET_WORDS:
            assert word.encode() not in body, (word, url)
    everything = b"".join(answers.values())
    # The OFFICIAL matter beside it is published: the test is not vacuous.
    assert b"Joint training centre" in everything
    assert b"Joint control room" in everything
    assert b"Funding ended." not in everything
    assert b"OFFICIAL-SENSITIVE" in everything  # the withheld items, said as such


def test_the_public_agenda_withholds_a_sensitive_item_as_its_page_does(
    client, public_board, marked
):
    for meeting, item in marked.values():
        answer = Client().get(f"/api/public/{public_board.slug}/meetings/{meeting.pk}").json()
        page = client.get(reverse("public_meeting", args=[public_board.slug, meeting.pk]))
        number = [i.pk for i in meeting.items.all()].index(item.pk) + 1
        shown = next(row for row in answer["items"] if row["number"] == number)
        assert shown["title"] == f"Item {number}: {NOT_PUBLISHED_SENSITIVE}"
        assert shown["title"] in page.content.decode()
        assert shown["withheld"] and not shown["exempt"]
        assert shown["minutes"] is None
        # Every item the page titles, the API titles the same way.
        for row in answer["items"]:
            assert row["title"] in page.content.decode(), row
        # An OFFICIAL open item keeps its title and is not withheld.
        first = next(row for row in answer["items"] if row["number"] == 1)
        assert first["title"] == meeting.items.get(position=1).title
        assert not first["withheld"]


def test_the_public_agenda_still_shows_an_exempt_item_as_exempt(public_board, published_meeting):
    answer = Client().get(f"/api/public/{public_board.slug}/meetings/{published_meeting.pk}")
    rows = answer.json()["items"]
    exempt = [row for row in rows if row["exempt"]]
    assert len(exempt) == 1 and exempt[0]["withheld"]
    assert "Zephyr" not in exempt[0]["title"]
    assert "exempt" in exempt[0]["title"]


def test_a_sensitive_recommendation_keeps_its_opportunity_out_of_the_public_register(
    public_board, marked, register
):
    answer = Client().get(f"/api/public/{public_board.slug}/register?limit=100").json()
    ids = {row["id"] for row in answer["results"]}
    assert register[Status.APPROVED].pk not in ids
    assert register[Status.IN_DELIVERY].pk in ids


def test_the_public_meeting_gives_a_cancelled_meetings_reason(
    client, public_board, cancelled_meeting, published_meeting
):
    reason = "The chair is unwell; the business moves to the next meeting."
    answer = Client().get(f"/api/public/{public_board.slug}/meetings/{cancelled_meeting.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["cancelled_reason"] == reason
    assert body["status_label"] == "Cancelled"
    assert body["items"] == []  # its agenda stays unpublished
    page = client.get(reverse("public_meeting", args=[public_board.slug, cancelled_meeting.pk]))
    assert reason in page.content.decode()
    # A meeting that goes ahead has no reason.
    other = Client().get(f"/api/public/{public_board.slug}/meetings/{published_meeting.pk}")
    assert other.json()["cancelled_reason"] == ""


def test_a_reason_left_on_a_meeting_not_cancelled_is_not_published(public_board, published_meeting):
    Meeting.objects.filter(pk=published_meeting.pk).update(cancelled_reason="Ferret reason")
    answer = Client().get(f"/api/public/{public_board.slug}/meetings/{published_meeting.pk}")
    assert b"Ferret" not in answer.content


# --- signed in: a body's OFFICIAL-SENSITIVE decision documents ----------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMMERCIAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)


@pytest.fixture
def kept_within(referred, fire, erin, django_capture_on_commit_callbacks):
    """Fire approves with an OFFICIAL-SENSITIVE costing, and keeps such documents within."""
    referral = referral_for(referred, fire)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral,
            erin,
            notes="Approved subject to the tender.",
            documents=[(SimpleUploadedFile("costing-osprey.pdf", PDF), uploads.PDF)],
            marking=COMMERCIAL,
        )
    fire.shares_sensitive_decisions = False
    fire.save()
    referral.refresh_from_db()
    return referral, referral.documents.get(original_name="costing-osprey.pdf")


def document_url(document):
    return reverse("referral_document", kwargs={"pk": document.pk})


def test_another_bodys_executive_gets_no_sensitive_document_through_the_api(
    kept_within, pat, erin, token_of, client_of
):
    referral, costing = kept_within
    assert not can_view_decision_record(pat, referral, costing.handling)
    assert can_view_decision_record(pat, referral)  # the decision itself is read
    headers = token_of(pat)
    answers = {
        url: Client().get(url, **headers)
        for url in ("/api/decisions?limit=100", "/api/referrals?limit=100")
    }
    answers["one"] = Client().get(f"/api/referrals/{referral.pk}", **headers)
    for url, answer in answers.items():
        assert answer.status_code == 200, url
        assert b"costing-osprey" not in answer.content, url
        assert document_url(costing).encode() not in answer.content, url
    decisions = answers["/api/decisions?limit=100"].json()["results"]
    assert referral.pk in {row["referral"] for row in decisions}  # the decision, as on the page
    assert answers["one"].json()["id"] == referral.pk
    # The page follows the same rule: the decision is read, the document never named, and the
    # notes of the OFFICIAL-SENSITIVE decision withheld.
    page = client_of(pat).get(referral.get_record_url()).content.decode()
    assert "Approved" in page
    assert "Approved subject to the tender." not in page
    assert "costing-osprey" not in page
    # Fire's own executive reads the same decision through the API.
    own = Client().get("/api/decisions?limit=100", **token_of(erin)).json()["results"]
    assert referral.pk in {row["referral"] for row in own}

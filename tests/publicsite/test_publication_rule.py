"""The one publication rule, item by item: a visitor walks every public page, file and feed
entry of a board holding exempt, draft, unpublished, confidential and withdrawn things, and
none of them appears — not in a page, not in the feed, not in a PDF's text, not in a file's
bytes. The secrets are real: the secretariat's own copies hold them (checked below), so an
empty page cannot pass for a safe one."""

import functools
import io
import re
from collections import deque
from datetime import timedelta
from urllib.parse import urljoin, urlparse

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from audit.services import audit_record
from meetings.models import AgendaItem, AgreedRecommendation, Meeting, Paper, PaperVersion
from meetings.pdfs import agenda_pack_store, minutes_pdf_store
from opportunities.models import Milestone, Opportunity, Referral, Status

from .conftest import SECRETS, leaks

pytestmark = pytest.mark.django_db

# Secrets of the files and of this test's own data, beside the conftest's.
FILE_SECRETS = [
    "Papaya",  # an exempt item's report (its text)
    "Narwhal",  # a report of a meeting whose papers are not published
    "Kestrel",  # a decision on a recommendation agreed in private: its reference, conditions
    "Puffin",  # a milestone of a collaboration that is not approved
    "Ocelot",  # a feed event of a draft meeting
]
HREF = re.compile(r'href="([^"]+)"')


@functools.cache
def text_pdf(text: str) -> bytes:
    return HTML(string=f"<p>{text}</p>").write_pdf()


def attach(meeting: Meeting, item: AgendaItem | None, title: str, text: str) -> Paper:
    """A PDF report whose text is ``text``."""
    paper = Paper.objects.create(meeting=meeting, agenda_item=item, title=title)
    content = text_pdf(text)
    version = PaperVersion(
        paper=paper,
        number=1,
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        kind="pdf",
        size=len(content),
        uploaded_by=meeting.created_by,
    )
    version.file.save("paper.pdf", ContentFile(content), save=False)
    version.save()
    Paper.objects.filter(pk=paper.pk).update(current_version=version)
    return paper


def build_pdfs(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(pack_generation=1)
    agenda_pack_store(meeting_id=meeting.pk, generation=1)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        minutes_pdf_store(meeting_id=meeting.pk)


def published(meeting: Meeting, verb: str, actor) -> None:
    audit_record(subject=meeting, actor=actor, verb=f"meeting.{verb}", summary=verb)


@pytest.fixture
def world(everything, alice, police, fire):
    """``everything`` with real files, feed events, a decision agreed in private and a
    milestone where there should be none."""
    approved, published_meeting = everything["approved"], everything["published"]
    open_item = approved.items.get(confidential=False)
    exempt_item = approved.items.get(confidential=True)
    attach(approved, open_item, "Estates options report", "Options for the shared estate.")
    attach(approved, exempt_item, "Exempt valuation", "Papaya valuation figures.")
    attach(approved, None, "Chair's introduction", "Welcome to the meeting.")
    public_item = published_meeting.items.get(confidential=False)
    attach(published_meeting, public_item, "Training centre report", "Training centre plans.")
    attach(
        published_meeting,
        published_meeting.items.get(confidential=True),
        "Supplier prices",
        "Papaya supplier prices.",
    )
    for key in ("scheduled", "cancelled", "draft"):
        meeting = everything[key]
        attach(meeting, meeting.items.first(), f"Narwhal report {key}", "Narwhal draft text.")
    for meeting in (approved, published_meeting):
        build_pdfs(meeting)
    # The feed's events: the draft meeting's and the unapproved minutes' must not show.
    published(approved, Meeting.Status.PAPERS_PUBLISHED, alice)
    published(approved, Meeting.Status.MINUTES_APPROVED, alice)
    published(published_meeting, Meeting.Status.PAPERS_PUBLISHED, alice)
    published(everything["cancelled"], Meeting.Status.CANCELLED, alice)
    published(everything["draft"], Meeting.Status.PAPERS_PUBLISHED, alice)
    Meeting.objects.filter(pk=everything["draft"].pk).update(title="Ocelot meeting")
    published(everything["drafted"], Meeting.Status.MINUTES_APPROVED, alice)
    # An approved collaboration whose recommendation the board agreed in private.
    private = Opportunity.objects.get(title="Shared fleet workshop")
    recommendation = private.recommendations.get()
    AgreedRecommendation.objects.create(recommendation=recommendation, agenda_item=exempt_item)
    recommendation.referrals.update(
        decision_reference="Kestrel/REF/9", conditions="Kestrel condition."
    )
    # A milestone on a collaboration that is not approved (written past the services).
    Milestone.objects.create(
        opportunity=Opportunity.objects.get(title="Gecko scheme"),
        title="Puffin milestone",
        due_on=timezone.localdate() + timedelta(days=30),
        created_by=alice,
    )
    delivering = Opportunity.objects.get(title="Joint control room")
    Milestone.objects.create(
        opportunity=delivering,
        title="Control room staff trained",
        due_on=timezone.localdate() + timedelta(days=30),
        percent_complete=40,
        created_by=alice,
    )
    return everything


def readable(response) -> str:
    """What a reader gets from a response: a page's text, a PDF's extracted text, a file's
    bytes."""
    content = raw(response)
    if content.startswith(b"%PDF"):
        return readable_bytes(content)
    return content.decode("utf-8", errors="replace")


def raw(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def walk(client, board) -> dict[str, str]:
    """Every address under the board's public pages a visitor can reach by following links
    from its home page, with what each gave (a file's raw bytes are checked on the way)."""
    prefix = f"/public/{board.slug}/"
    start = reverse("public_home", args=[board.slug])
    seen: dict[str, str] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        content = raw(response)
        if content.startswith(b"%PDF"):
            # A PDF's compressed streams may hold any three letters by chance: its text, bookmarks
            # and document information are read out instead.
            body = readable_bytes(content)
            assert [w for w in SECRETS + FILE_SECRETS if w in body] == [], url
        else:
            assert [w for w in SECRETS + FILE_SECRETS if w.encode() in content] == [], url
            body = content.decode()
        seen[url] = body
        if response.get("Content-Type", "").startswith(("text/html", "application/atom")):
            for href in HREF.findall(body) + re.findall(r"<link[^>]*href=\"([^\"]+)\"", body):
                target = urlparse(urljoin(url, href.replace("&amp;", "&")))
                address = target.path + (f"?{target.query}" if target.query else "")
                if target.netloc not in ("", "testserver"):
                    continue
                if target.path.startswith(prefix) and address not in seen:
                    queue.append(address)
    return seen


def secrets_in(text: str) -> list[str]:
    return leaks(text) + [word for word in FILE_SECRETS if word in text]


def test_no_public_page_file_or_feed_entry_shows_anything_it_must_not(client, public_board, world):
    pages = walk(client, public_board)
    for url, body in pages.items():
        assert secrets_in(body) == [], url
    # The walk reached every kind of public thing (so the check above is not vacuous).
    approved, published_meeting = world["approved"], world["published"]
    slug = public_board.slug
    for expected in [
        reverse("public_pack", args=[slug, approved.pk]),
        reverse("public_pack", args=[slug, published_meeting.pk]),
        reverse("public_minutes_pdf", args=[slug, approved.pk]),
        reverse("public_decisions", args=[slug]),
        reverse("public_feed", args=[slug]),
    ]:
        assert expected in pages, expected
    papers = [url for url in pages if "/papers/" in url]
    assert len(papers) == 3  # the open report of each of two meetings, the chair's introduction
    assert any("/decisions/" in url and url.rstrip("/")[-1].isdigit() for url in pages)
    assert any("/collaborations/" in url and url.rstrip("/")[-1].isdigit() for url in pages)
    pack = pages[reverse("public_pack", args=[slug, published_meeting.pk])]
    assert "Training centre plans." in pack
    assert "Control room staff trained" in pages[reverse("public_register", args=[slug])]


API_LISTS = (
    "meetings",
    "register",
    "delivery",
    "decisions",
    "forward-plan",
    "published",
)


def api_walk(client, board) -> dict[str, str]:
    """Every public API answer of the board: each list followed page by page, and each meeting
    and decision notice the lists name."""
    prefix = f"/api/public/{board.slug}"
    seen: dict[str, str] = {}
    queue = deque(f"{prefix}/{path}?limit=3" for path in API_LISTS)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.content.decode()
        body = response.json()
        if "results" not in body:
            continue
        if body["next"]:
            queue.append(urlparse(body["next"]).path + "?" + urlparse(body["next"]).query)
        kind = url.removeprefix(f"{prefix}/").split("?")[0]
        if kind in ("meetings", "decisions"):
            queue.extend(f"{prefix}/{kind}/{row['id']}" for row in body["results"])
    return seen


def test_no_public_api_answer_shows_anything_the_pages_must_not(client, public_board, world):
    """The API is walked like the pages: the same secrets, none in any answer; and it reaches the
    same meetings and decision notices as a visitor does."""
    answers = api_walk(client, public_board)
    for url, body in answers.items():
        assert secrets_in(body) == [], url
    pages = walk(client, public_board)
    for kind in ("meetings", "decisions"):
        on_pages = {
            int(found)
            for url in pages
            for found in re.findall(rf"/public/{public_board.slug}/{kind}/(\d+)/$", url)
        }
        in_api = {int(url.rsplit("/", 1)[1]) for url in answers if re.search(rf"/{kind}/\d+$", url)}
        assert in_api == on_pages and in_api, kind
    delivery = "".join(body for url, body in answers.items() if "/delivery" in url)
    assert "Control room staff trained" in delivery
    # The board does not publish what it did not pursue (the withdrawn "Walrus"): nor does the API.
    refused = client.get(f"/api/public/{public_board.slug}/not-pursued")
    assert refused.status_code == 404 and "Walrus" not in refused.content.decode()


def test_the_private_files_are_really_there_for_the_secretariat(client_of, alice, world):
    """The secrets the walk looks for exist: the Part 2 pack holds the exempt report, the
    scheduled meeting's report holds its text."""
    approved = Meeting.objects.get(pk=world["approved"].pk)
    assert approved.part2_pack_file and approved.minutes_part2_pdf
    with approved.part2_pack_file.open("rb") as handle:
        assert "Papaya" in readable_bytes(handle.read())
    staff = client_of(alice)
    paper = Paper.objects.get(title="Narwhal report scheduled")
    response = staff.get(reverse("paper_download", args=[paper.meeting_id, paper.pk]))
    assert "Narwhal" in readable(response)


def readable_bytes(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = [page.extract_text() or "" for page in reader.pages]
    text += [str(value) for value in (reader.metadata or {}).values()]

    def titles(outline) -> list[str]:
        return [
            found
            for entry in outline
            for found in (titles(entry) if isinstance(entry, list) else [str(entry.title)])
        ]

    return "\n".join(text + titles(reader.outline))


@pytest.mark.parametrize(
    "title",
    [
        "Exempt valuation",
        "Supplier prices",
        "Narwhal report scheduled",
        "Narwhal report cancelled",
        "Narwhal report draft",
    ],
)
def test_a_private_paper_is_not_found_at_a_public_address(client, public_board, world, title):
    paper = Paper.objects.get(title=title)
    url = reverse("public_paper", args=[public_board.slug, paper.meeting_id, paper.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert secrets_in(response.content.decode()) == []


def test_an_open_paper_is_not_found_under_another_meeting(client, public_board, world):
    paper = Paper.objects.get(title="Estates options report")
    other = world["published"]
    url = reverse("public_paper", args=[public_board.slug, other.pk, paper.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("key", ["scheduled", "cancelled"])
def test_no_pack_is_public_before_the_papers_are_or_after_a_cancellation(
    client, public_board, world, key
):
    meeting = world[key]
    build_pdfs(meeting)  # built, as for the members, but not public
    assert Meeting.objects.get(pk=meeting.pk).pack_state == Meeting.FileState.READY
    url = reverse("public_pack", args=[public_board.slug, meeting.pk])
    assert client.get(url).status_code == 404


def test_minutes_not_yet_approved_have_no_public_pdf(client, public_board, world):
    meeting = world["drafted"]
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_pdf_state=Meeting.FileState.READY, minutes_pdf="minutes/early.pdf"
    )
    url = reverse("public_minutes_pdf", args=[public_board.slug, meeting.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "not approved" in response.content.decode()


def test_a_pack_being_rebuilt_is_not_served(client, public_board, world):
    meeting = world["published"]
    Meeting.objects.filter(pk=meeting.pk).update(pack_state=Meeting.FileState.BUILDING)
    url = reverse("public_pack", args=[public_board.slug, meeting.pk])
    assert client.get(url).status_code == 404


def test_the_public_pack_holds_no_online_link_and_no_exempt_title(client, public_board, world):
    approved = world["approved"]
    url = reverse("public_pack", args=[public_board.slug, approved.pk])
    text = readable(client.get(url))
    assert "Options for the shared estate." in text and "Welcome to the meeting." in text
    assert "secret-room" not in text and "Zephyr" not in text and "Papaya" not in text


def test_the_public_minutes_hold_attendance_declarations_and_open_business(
    client, public_board, world, bob, alice
):
    from meetings.models import DeclarationOfInterest, MeetingInvitation

    approved = world["approved"]
    MeetingInvitation.objects.create(
        meeting=approved, person=bob, attendance=MeetingInvitation.Attendance.PRESENT
    )
    DeclarationOfInterest.objects.create(
        meeting=approved, person=bob, nature="Governor of a school in Rugby", recorded_by=alice
    )
    Meeting.objects.filter(pk=approved.pk).update(
        minutes_pdf_state=Meeting.FileState.NONE, minutes_pdf=""
    )
    minutes_pdf_store(meeting_id=approved.pk)
    url = reverse("public_minutes_pdf", args=[public_board.slug, approved.pk])
    text = readable(client.get(url))
    assert bob.full_name in text and "Present" in text
    assert "Governor of a school in Rugby" in text
    assert "The board agreed to review the shared estate in Rugby." in text
    assert "Quokka" not in text and "Zephyr" not in text


def test_a_decision_agreed_in_private_is_not_in_the_register(client, public_board, world):
    private = Opportunity.objects.get(title="Shared fleet workshop")
    for referral in Referral.objects.filter(recommendation__opportunity=private):
        url = reverse("public_decision", args=[public_board.slug, referral.pk])
        assert client.get(url).status_code == 404
    body = client.get(reverse("public_register", args=[public_board.slug])).content.decode()
    assert "Shared fleet workshop" in body  # the collaboration itself is approved and public
    assert "taken on business considered in private" in body


def test_a_decision_on_a_collaboration_that_is_not_approved_is_not_published(
    client, public_board, world
):
    for title in ("Gecko scheme", "Lynx scheme", "Tapir scheme"):
        for referral in Referral.objects.filter(recommendation__opportunity__title=title):
            url = reverse("public_decision", args=[public_board.slug, referral.pk])
            assert client.get(url).status_code == 404, title


def test_a_withdrawn_collaboration_has_no_public_page(client, public_board, world):
    withdrawn = Opportunity.objects.get(status=Status.WITHDRAWN)
    url = reverse("public_collaboration", args=[public_board.slug, withdrawn.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "Walrus" not in response.content.decode()

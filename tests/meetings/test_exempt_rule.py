"""One rule for exempt business, walked over every surface for every role.

The rule: an exempt item's title, description, presenter, papers, minutes and declarations are
seen by the secretariat, the chair and invitees with a voting or advisory role (member,
adviser); never by observers or guests, unless the secretariat admits a named person to a named
item. Part 1 surfaces (the agenda pack, the minutes PDF, calendar feeds, e-mails, public pages)
carry no exempt business for anyone and show the item as "Item 2: exempt — paragraph 3".

Every secret below is a word that appears nowhere else, so its presence on a surface means the
exempt item leaked there.
"""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from boards.models import BoardMembership
from meetings import services
from meetings.models import DeclarationOfInterest, ExemptParagraph, Meeting
from meetings.pdfs import agenda_pack_store, minutes_pdf_store
from meetings.selectors import agenda_items_visible_to
from tests.factories import AgendaItemFactory, MembershipFactory, PaperFactory, UserFactory
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db

SECRETS = ("Zeppelin", "Xylophone", "Quince", "Papaya", "Quokka", "Walrus")
ROLES = [
    "secretariat",
    "chair",
    "member",
    "adviser",
    "observer",
    "guest",
    "admitted guest",
    "member not invited",
    "another board",
    "anonymous",
]
# Who sees the exempt item, by the rule.
ENTITLED = {"secretariat", "chair", "member", "adviser", "admitted guest"}


def has_secret(text: str) -> bool:
    """Whether any part of the exempt item (title, description, presenter, paper, minutes,
    declaration) is in the text."""
    return any(word in text for word in SECRETS)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def world(
    board,
    police,
    fire,
    alice,
    bob,
    dave,
    frank,
    erin,
    pat,
    charlie,
    django_capture_on_commit_callbacks,
):
    adviser = UserFactory(full_name="Ada Adviser", organisation=fire)
    MembershipFactory(
        person=adviser, board=board, organisation=fire, role=BoardMembership.Role.ADVISER
    )
    observer = UserFactory(full_name="Olly Observer", organisation=police)
    MembershipFactory(
        person=observer, board=board, organisation=police, role=BoardMembership.Role.OBSERVER
    )
    board.public_pages_enabled = True
    board.save()
    meeting = Meeting.objects.create(
        board=board,
        title="Winter meeting",
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=10, hours=2),
        venue="Shire Hall, Warwick",
        created_by=alice,
    )
    AgendaItemFactory(meeting=meeting, position=1, title="Kestrel shared estates", minutes="Noted.")
    exempt = AgendaItemFactory(
        meeting=meeting,
        position=2,
        title="Zeppelin depot valuation",
        description="Xylophone figures",
        presenter="Quince Surveyor",
        confidential=True,
        exempt_paragraph=ExemptParagraph.FINANCIAL,
        minutes="Quokka agreed in private.",
    )
    AgendaItemFactory(meeting=meeting, position=3, title="Heron training review", minutes="Noted.")
    paper = PaperFactory(meeting=meeting, agenda_item=exempt, title="Papaya valuation report")
    # Frank is a member left off this meeting's invitations: he is off the board while it is
    # scheduled (which invites the members of the day), and back on it after.
    frank_membership = BoardMembership.objects.get(person=frank, board=board)
    frank_membership.delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_transition(meeting=meeting, actor=alice, to=Meeting.Status.SCHEDULED)
    MembershipFactory(person=frank, board=board, role=frank_membership.role)
    assert not meeting.invitations.filter(person=frank).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitee_add(meeting=meeting, person=erin)
        services.invitee_add(meeting=meeting, person=pat)
        services.exempt_admission_add(item=exempt, person=pat, actor=alice)
        services.agenda_sign_off(meeting=meeting, actor=dave)
        services.meeting_transition(
            meeting=meeting, actor=alice, to=Meeting.Status.PAPERS_PUBLISHED
        )
        moved = meeting.starts_at + timedelta(days=1)
        services.meeting_update(
            meeting=meeting,
            title=meeting.title,
            starts_at=moved,
            ends_at=moved + timedelta(hours=2),
            venue=meeting.venue,
            online_link="",
        )
    DeclarationOfInterest.objects.create(
        meeting=meeting, agenda_item=exempt, person=bob, nature="Walrus shares", recorded_by=alice
    )
    # The meeting is held and its minutes approved.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
        status=Meeting.Status.MINUTES_APPROVED,
        minutes_approved_at=timezone.now(),
        minutes_approved_by=dave,
    )
    meeting.refresh_from_db()
    agenda_pack_store(meeting_id=meeting.pk, generation=meeting.pack_generation)
    minutes_pdf_store(meeting_id=meeting.pk)
    people = {
        "secretariat": alice,
        "chair": dave,
        "member": bob,
        "adviser": adviser,
        "observer": observer,
        "guest": erin,
        "admitted guest": pat,
        "member not invited": frank,
        "another board": charlie,
        "anonymous": None,
    }
    return {"meeting": meeting, "item": exempt, "paper": paper, "people": people}


def sign_in_as(client, person):
    client.logout()
    if person is not None:
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        pass_second_factor(client, person)
    return client


def body_of(response) -> str | None:
    """The text a person got, or None when they were refused (or sent to sign in)."""
    if response.status_code != 200:
        return None
    if response.get("Content-Type") == "application/pdf":
        return pdf_text(b"".join(response.streaming_content))
    return response.content.decode()


def test_every_surface_for_every_role_follows_the_one_rule(client, world):
    """Who sees the exempt item where: the whole table, compared at once with the rule."""
    meeting, item = world["meeting"], world["item"]
    pages = {
        "meeting page": meeting.get_absolute_url(),
        "exempt paper": world["paper"].get_absolute_url(),
        "agenda pack": reverse("pack_download", kwargs={"pk": meeting.pk}),
        "minutes PDF": reverse("minutes_download", kwargs={"pk": meeting.pk}),
        "search": reverse("search") + "?q=Zeppelin",
        "public page": reverse(
            "public_meeting", kwargs={"slug": meeting.board.slug, "pk": meeting.pk}
        ),
    }
    seen: dict[str, dict[str, bool]] = {surface: {} for surface in [*pages, "other apps", "feed"]}
    for role in ROLES:
        person = world["people"][role]
        sign_in_as(client, person)
        for surface, url in pages.items():
            text = body_of(client.get(url))
            if surface == "exempt paper":
                seen[surface][role] = text is not None
            elif surface == "search":  # the search box repeats the word searched for
                seen[surface][role] = text is not None and "depot valuation" in text
            else:
                seen[surface][role] = text is not None and has_secret(text)
        seen["other apps"][role] = (
            person is not None and agenda_items_visible_to(person).filter(pk=item.pk).exists()
        )
        if person is not None:
            feed = services.calendar_feed_of(person=person)
            client.logout()
            text = client.get(reverse("calendar_feed", kwargs={"token": feed.token}))
            seen["feed"][role] = has_secret(text.content.decode())
        else:
            seen["feed"][role] = False
    # The portal's own pages and other apps' lists follow the rule; Part 1 surfaces (the pack,
    # the minutes PDF, feeds, public pages) carry exempt business for nobody.
    by_rule = {role: role in ENTITLED for role in ROLES}
    nobody = {role: False for role in ROLES}
    assert seen == {
        "meeting page": by_rule,
        "exempt paper": by_rule,
        "agenda pack": nobody,
        "minutes PDF": nobody,
        "search": by_rule,
        "public page": nobody,
        "other apps": by_rule,
        "feed": nobody,
    }


def test_those_not_entitled_read_the_item_as_its_number_and_paragraph(client, world):
    meeting = world["meeting"]
    for role in ("observer", "guest", "member not invited"):
        body = sign_in_as(client, world["people"][role]).get(meeting.get_absolute_url())
        assert "Exempt — paragraph 3" in body.content.decode()
    sign_in_as(client, world["people"]["guest"])
    pack = body_of(client.get(reverse("pack_download", kwargs={"pk": meeting.pk})))
    assert pack is not None
    assert "Exempt — paragraph 3" in pack
    # The pack was rebuilt after the meeting moved: page 1 has the new date.
    assert f"{timezone.localtime(meeting.starts_at):%-d %B %Y}" in pack


def test_the_public_page_keeps_the_members_numbering_and_shows_the_paragraph(client, world):
    meeting = world["meeting"]
    client.logout()
    response = client.get(
        reverse("public_meeting", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})
    )
    body = response.content.decode()
    assert "Item 2: exempt — paragraph 3" in body
    assert "Item 3: Heron training review" in body


def test_no_e_mail_carries_exempt_business(world):
    # Invitations, the papers notice and the update after the move went to every invitee.
    assert len(mail.outbox) >= 2 * 7
    for message in mail.outbox:
        bodies = [message.body] + [
            alternative[0] for alternative in getattr(message, "alternatives", [])
        ]
        attachments = [str(a[1]) for a in message.attachments]
        assert not any(has_secret(text) for text in bodies + attachments + [message.subject])

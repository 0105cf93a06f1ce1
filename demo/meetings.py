"""Demonstration meetings: the inaugural meeting at Shire Hall, a recent meeting with papers and
actions, and two upcoming ones.

Meetings are found by their title, items by their place on the agenda and papers by their title,
so seeding twice leaves the same data as seeding once. Dates of the recent and upcoming meetings
are relative to today, so the demo always has something coming up.
"""

from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from boards.models import Board, User
from core.markings import (
    OFFICIAL,
    OFFICIAL_SENSITIVE,
    Descriptor,
    Level,
    Marking,
    marking_fields,
)
from core.uploads import PDF
from meetings.models import (
    Action,
    AgendaItem,
    DeclarationOfInterest,
    ExemptParagraph,
    Meeting,
    MeetingInvitation,
    Paper,
    PaperVersion,
    RegisteredInterest,
    Resolution,
    Vote,
)
from meetings.pdfs import agenda_pack_store, minutes_pdf_store
from meetings.selectors import item_voters
from meetings.services import invite_board_members, minutes_number, resolution_record

from .boards import BOARD_SLUG

LONDON = ZoneInfo("Europe/London")
SHIRE_HALL = "Shire Hall, Warwick"
Status = Meeting.Status
Reply = MeetingInvitation.Reply
Attendance = MeetingInvitation.Attendance


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _people() -> dict[str, User]:
    return {person.email.split("@")[0]: person for person in User.objects.all()}


@transaction.atomic
def seed() -> None:
    """Create or bring up to date the demonstration meetings of the demo board (which
    ``demo.boards.seed`` creates first)."""
    board = Board.objects.get(slug=BOARD_SLUG)
    people = _people()
    today = timezone.localdate()
    _inaugural(board, people)
    _recent(board, people, today - timedelta(days=21))
    _upcoming_with_papers(board, people, today + timedelta(days=14))
    _upcoming_scheduled(board, people, today + timedelta(days=70))


def _meeting(board, title, starts_at, hours, people, **values) -> Meeting:
    meeting, _ = Meeting.objects.update_or_create(
        board=board,
        title=title,
        defaults={
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours),
            "created_by": people["priya.shah"],
            **values,
        },
    )
    invite_board_members(meeting)
    return meeting


def _items(meeting, rows) -> list[AgendaItem]:
    items = []
    for position, row in enumerate(rows, start=1):
        item, _ = AgendaItem.objects.update_or_create(
            meeting=meeting, position=position, defaults=row
        )
        items.append(item)
    return items


def _replies(meeting, replies: dict, attendance: dict | None = None) -> None:
    for invitation in meeting.invitations.select_related("person"):
        key = invitation.person.email.split("@")[0]
        reply = replies.get(key, Reply.ATTENDING)
        invitation.reply = reply
        invitation.substitute_name = (
            "Supt. Karen Lowe, Head of Partnerships" if reply == Reply.SUBSTITUTE else ""
        )
        invitation.replied_at = invitation.replied_at or meeting.starts_at - timedelta(days=5)
        if attendance is not None:
            invitation.attendance = attendance.get(key, Attendance.PRESENT)
        invitation.sequence_sent = meeting.sequence
        invitation.save()


def _paper(meeting, item, title, paragraphs, people, marking: Marking = OFFICIAL) -> Paper:
    fields = marking_fields(marking)
    paper, _ = Paper.objects.update_or_create(
        meeting=meeting, title=title, defaults={"agenda_item": item, **fields}
    )
    PaperVersion.objects.filter(paper=paper).update(**fields)
    if paper.current_version_id is None:
        content = _demo_pdf(meeting, title, paragraphs)
        version = PaperVersion(
            paper=paper,
            number=1,
            original_name=f"{title}.pdf",
            content_type=PDF.content_type,
            kind=PDF.code,
            size=len(content),
            uploaded_by=people["priya.shah"],
            **fields,
        )
        version.file.save("paper.pdf", ContentFile(content), save=False)
        version.save()
        paper.current_version = version
        paper.save(update_fields=["current_version"])
    return paper


def _demo_pdf(meeting, title, paragraphs) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        '<html lang="en-GB"><body>'
        f"<p><strong>{escape(meeting.board.name)}</strong><br>{escape(meeting.title)}, "
        f"{timezone.localtime(meeting.starts_at):%-d %B %Y}</p><h1>{escape(title)}</h1>{body}"
        "</body></html>"
    )
    return HTML(string=html).write_pdf()


def _action(meeting, item, description, owner, due_on, status, people) -> None:
    Action.objects.update_or_create(
        meeting=meeting,
        description=description,
        defaults={
            "agenda_item": item,
            "owner": owner,
            "due_on": due_on,
            "status": status,
            "created_by": people["priya.shah"],
        },
    )


def _build_pack(meeting) -> None:
    if meeting.pack_state != Meeting.FileState.READY:
        Meeting.objects.filter(pk=meeting.pk).update(
            pack_generation=meeting.pack_generation + 1, pack_state=Meeting.FileState.BUILDING
        )
        agenda_pack_store(meeting_id=meeting.pk, generation=meeting.pack_generation + 1)


def _inaugural(board, people) -> None:
    starts = _at(datetime(2017, 12, 6).date(), 10)
    meeting = _meeting(
        board,
        "Inaugural meeting",
        starts,
        2,
        people,
        venue=SHIRE_HALL,
        online_link="",
        status=Status.MINUTES_APPROVED,
        agenda_signed_off_at=starts - timedelta(days=10),
        agenda_signed_off_by=people["helen.marsh"],
        minutes_approved_at=starts + timedelta(days=20),
        minutes_approved_by=people["helen.marsh"],
    )
    items = _items(
        meeting,
        [
            {
                "title": "Welcome and introductions",
                "presenter": "Helen Marsh (Chair)",
                "minutes": "The Chair welcomed members to the first meeting of the Joint "
                "Advisory Board and members introduced themselves.",
            },
            {
                "title": "Terms of reference",
                "presenter": "Priya Shah (Board Secretary)",
                "minutes": "The board agreed its terms of reference. The board is advisory: "
                "each area it identifies is agreed by the executive of each member body.",
            },
            {
                "title": "The duty to collaborate (Policing and Crime Act 2017)",
                "presenter": "Simon Ashworth",
                "minutes": "Members noted the statutory duty to keep collaboration "
                "opportunities under review.",
            },
            {
                "title": "First look at collaboration opportunities",
                "presenter": "Rachel Finch",
                "minutes": "Shared estates, arson reduction and joint training were identified "
                "for early assessment.",
            },
            {
                # Exempt business: its title and minutes never reach the public pages.
                "title": "Police estate: sale of the Budbrooke annexe",
                "presenter": "Simon Ashworth",
                "confidential": True,
                "exempt_paragraph": ExemptParagraph.FINANCIAL,
                "minutes": "Members noted the confidential valuation of the Budbrooke annexe "
                "and the bids received, in private session.",
            },
        ],
    )
    _replies(meeting, {}, attendance={})
    minutes_number(meeting=meeting)
    _action(
        meeting,
        items[3],
        "Bring an assessment of shared estate opportunities in Warwick and Leamington.",
        people["rachel.finch"],
        starts.date() + timedelta(days=90),
        Action.Status.DONE,
        people,
    )
    if meeting.minutes_pdf_state != Meeting.FileState.READY:
        minutes_pdf_store(meeting_id=meeting.pk)


def _recent(board, people, day) -> None:
    starts = _at(day, 14)
    meeting = _meeting(
        board,
        "Autumn meeting",
        starts,
        2,
        people,
        venue=SHIRE_HALL,
        online_link="https://meet.example.org/bluelight-autumn",
        status=Status.MINUTES_DRAFTED,
        agenda_signed_off_at=starts - timedelta(days=12),
        agenda_signed_off_by=people["helen.marsh"],
    )
    items = _items(
        meeting,
        [
            {"title": "Apologies and declarations of interest", "presenter": "Chair"},
            {
                "title": "Shared fire and police station at Stratford-upon-Avon",
                "presenter": "Rachel Finch",
                "minutes": "The board recommended that each body's executive approves the "
                "outline business case for a shared station.",
            },
            {
                "title": "Joint arson reduction campaign",
                "presenter": "Simon Ashworth",
                "minutes": "The campaign reached 4,200 households; a second phase was proposed.",
            },
            {
                "title": "Disposal of the Leamington depot — commercial terms",
                "presenter": "Cllr Margaret Bell",
                "confidential": True,
                "exempt_paragraph": ExemptParagraph.FINANCIAL,
                "minutes": "Commercial terms were discussed in private session.",
            },
        ],
    )
    _replies(
        meeting,
        {"tom.reid": Reply.APOLOGIES, "simon.ashworth": Reply.SUBSTITUTE},
        attendance={
            "tom.reid": Attendance.APOLOGIES,
            "simon.ashworth": Attendance.SUBSTITUTE,
        },
    )
    _paper(
        meeting,
        items[1],
        "Shared station outline business case",
        [
            "This paper sets out the outline business case for a shared fire and police station "
            "at Stratford-upon-Avon.",
            "Estimated saving: £180,000 a year in running costs from the third year.",
        ],
        people,
    )
    _paper(
        meeting,
        items[2],
        "Arson reduction campaign evaluation",
        [
            "Evaluation of the joint campaign run by Warwickshire Police and Warwickshire Fire and "
            "Rescue Service.",
        ],
        people,
    )
    _paper(
        meeting,
        items[3],
        "Leamington depot valuation (confidential)",
        [
            "Exempt information: the financial or business affairs of a member body.",
        ],
        people,
        marking=OFFICIAL_SENSITIVE,
    )
    # Cllr Bell's standing register of interests, reviewed by the secretary; her declaration
    # on the depot is made from it and is disqualifying: she takes no part in the item.
    entry, _ = RegisteredInterest.objects.update_or_create(
        person=people["margaret.bell"],
        description="Portfolio holder for the council's property disposals.",
        defaults={
            "category": RegisteredInterest.Category.EMPLOYMENT,
            "starts_on": day - timedelta(days=400),
            "reviewed_by": people["priya.shah"],
            "reviewed_at": timezone.now() - timedelta(days=300),
        },
    )
    RegisteredInterest.objects.update_or_create(
        person=people["rachel.finch"],
        description="Trustee of the Fire Fighters Charity.",
        defaults={
            "category": RegisteredInterest.Category.MEMBERSHIP,
            "starts_on": day - timedelta(days=200),
        },
    )
    DeclarationOfInterest.objects.update_or_create(
        meeting=meeting,
        agenda_item=items[3],
        person=people["margaret.bell"],
        defaults={
            "nature": entry.description,
            "register_entry": entry,
            "disqualifying": True,
            "recorded_by": people["priya.shah"],
        },
    )
    # The board's recorded vote on the second phase of the arson reduction campaign.
    if not items[2].resolutions.exists():
        voters = item_voters(items[2])
        resolution_record(
            item=items[2],
            actor=people["priya.shah"],
            put_by=people["helen.marsh"],
            wording="To support a second phase of the joint arson reduction campaign, to be "
            "proposed by the Chief Fire Officer.",
            kind=Resolution.Kind.GENERAL,
            method=Resolution.Method.RECORDED,
            votes={
                invitation.person_id: (
                    Vote.Choice.ABSTAIN
                    if invitation.person == people["margaret.bell"]
                    else Vote.Choice.FOR
                )
                for invitation in voters
            },
        )
    minutes_number(meeting=meeting)
    _action(
        meeting,
        items[1],
        "Take the shared station business case to the Chief Officer Group.",
        people["simon.ashworth"],
        day + timedelta(days=30),
        Action.Status.OPEN,
        people,
    )
    _action(
        meeting,
        items[2],
        "Propose the second phase of the arson reduction campaign.",
        people["rachel.finch"],
        day + timedelta(days=45),
        Action.Status.IN_PROGRESS,
        people,
    )
    # Still open, so carried forward to the winter meeting as a matter arising.
    Action.objects.filter(
        meeting=meeting, description="Propose the second phase of the arson reduction campaign."
    ).update(progress="A draft proposal is with the Chief Officer Group.")
    _action(
        meeting,
        None,
        "Circulate the draft minutes to members.",
        people["priya.shah"],
        day + timedelta(days=7),
        Action.Status.DONE,
        people,
    )
    _build_pack(meeting)


def _upcoming_with_papers(board, people, day) -> None:
    starts = _at(day, 10)
    meeting = _meeting(
        board,
        "Winter meeting",
        starts,
        2,
        people,
        venue=SHIRE_HALL,
        online_link="",
        status=Status.PAPERS_PUBLISHED,
        agenda_signed_off_at=starts - timedelta(days=16),
        agenda_signed_off_by=people["helen.marsh"],
    )
    items = _items(
        meeting,
        [
            {"title": "Minutes of the autumn meeting and matters arising", "presenter": "Chair"},
            {"title": "Joint control room feasibility study", "presenter": "Simon Ashworth"},
            {"title": "Fleet maintenance: shared workshop", "presenter": "Rachel Finch"},
            {
                "title": "West Midlands Ambulance Service: joining the board",
                "presenter": "Helen Marsh",
            },
            {
                "title": "Control room: supplier pricing",
                "presenter": "Simon Ashworth",
                "confidential": True,
                "exempt_paragraph": ExemptParagraph.FINANCIAL,
            },
        ],
    )
    # The Police executive attends as a guest: he sees the papers, except the confidential one.
    MeetingInvitation.objects.update_or_create(
        meeting=meeting,
        person=people["andrew.holt"],
        defaults={"is_guest": True, "organisation": None, "counts_for_quorum": False},
    )
    _replies(
        meeting,
        {
            "david.okafor": Reply.APOLOGIES,
            "tom.reid": Reply.NO_REPLY,
            "margaret.bell": Reply.NO_REPLY,
        },
    )
    _paper(
        meeting,
        items[1],
        "Joint control room feasibility study",
        [
            "Options for a joint police and fire control room serving Warwickshire.",
        ],
        people,
    )
    _paper(
        meeting,
        items[2],
        "Shared fleet workshop proposal",
        [
            "A shared workshop at Leek Wootton for police and fire vehicles.",
        ],
        people,
    )
    _paper(
        meeting,
        items[4],
        "Control room supplier pricing (confidential)",
        ["Exempt information: commercial terms offered by suppliers."],
        people,
        marking=Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL),
    )
    _build_pack(meeting)


def _upcoming_scheduled(board, people, day) -> None:
    starts = _at(day, 14)
    meeting = _meeting(
        board,
        "Spring meeting",
        starts,
        2,
        people,
        venue="",
        online_link="https://meet.example.org/bluelight-spring",
        status=Status.SCHEDULED,
    )
    _items(
        meeting,
        [
            {"title": "Review of collaboration opportunities", "presenter": "Priya Shah"},
            {"title": "Health and social care: falls response", "presenter": "Rachel Finch"},
        ],
    )
    _replies(
        meeting,
        {
            "simon.ashworth": Reply.NO_REPLY,
            "rachel.finch": Reply.NO_REPLY,
            "helen.marsh": Reply.NO_REPLY,
            "tom.reid": Reply.NO_REPLY,
            "priya.shah": Reply.NO_REPLY,
        },
    )

"""Reads about meetings, and the one rule of who sees which meetings and which business.

The rule, for signed-in people (``meetings.permissions`` says the same of a single meeting, and
a test holds the two equal for every role and state):

- the board's secretariat and chair (or vice-chair) see all of their board's meetings, drafts
  included, with their papers and exempt business;
- otherwise a draft is hidden; the board's members and the meeting's invitees see the rest;
- papers, once published, are the invitees';
- exempt (confidential) business — an exempt item's title, description, presenter, papers,
  minutes and declarations — is for invitees holding a voting or advisory role on the board
  (chair, vice-chair, member, adviser) and for the secretariat; never for observers or guests,
  except that the secretariat may admit a named invitee to a named exempt item
  (``ExemptItemAdmission``), which opens that item and no other.

Those not entitled read an exempt item as its number and its reason: "Item 6: exempt —
paragraph 3" — the numbering is the members' numbering everywhere.

For the public (no sign-in), a board whose public pages are on shows its meetings past the
draft stage, the agenda once the papers are published and the minutes once approved — never
exempt business. Every page, PDF, feed, search and public page reads these functions.
"""

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from boards.models import Board, BoardMembership, User
from boards.permissions import CHAIR_ROLES, Person, Role, current_memberships
from core.markings import Level
from notifications.models import Notification

from .models import (
    HELD_STATES,
    PUBLISHED_STATES,
    Action,
    AgendaItem,
    AgreedRecommendation,
    DeclarationOfInterest,
    ExemptItemAdmission,
    Meeting,
    MeetingInvitation,
    Paper,
)
from .permissions import EXEMPT_ROLES

Status = Meeting.Status
Row = TypeVar("Row", bound=Model)
HOME_LIST_LIMIT = 10
FEED_HISTORY = timedelta(days=365)


# --- Who sees which meetings and business -----------------------------------------------------


@dataclass(frozen=True)
class _Conditions:
    agenda: Q
    papers: Q
    exempt: Q


@dataclass(frozen=True)
class Links:
    """Whether the person holds any guest's invitation, any member's invitation and any
    admission to an exempt item. The rule looks each kind up meeting by meeting; for someone
    who holds none of a kind, that lookup is left out (a search reads these once, in one small
    query, and so asks far less of every row it matches). Leaving a lookup out can only ever
    show less, never more."""

    guest: bool = True
    member: bool = True
    admitted: bool = True


EVERY_LINK = Links()
# A condition that holds for no row: Django leaves it out of an OR, and an AND with it is empty.
NOWHERE = Q(pk__in=[])


def links_of(person: Person) -> Links:
    """What the person holds, in one query."""
    if not person.is_authenticated:
        return Links(guest=False, member=False, admitted=False)
    invitations = MeetingInvitation.objects.filter(person_id=OuterRef("pk"))
    guest, member, admitted = (
        User.objects.filter(pk=person.pk)
        .annotate(
            guest=Exists(invitations.filter(is_guest=True)),
            member=Exists(invitations.filter(is_guest=False)),
            admitted=Exists(admissions_of(person)),
        )
        .values_list("guest", "member", "admitted")
        .get()
    )
    return Links(guest=guest, member=member, admitted=admitted)


def _conditions(person: Person, meeting: str = "", links: Links = EVERY_LINK) -> _Conditions | None:
    """The rule as conditions on meetings, or None for someone who is not signed in.

    ``meeting`` is the path from the rows filtered to their meeting: "" for meetings themselves,
    "meeting__" for agenda items and papers, whose conditions then read the meeting through a
    join. The person's boards are read once (their memberships); an invitation is looked up
    meeting by meeting, through the index of one invitation each (meeting, person), never read
    in full: a member invited to every one of ten thousand meetings costs no more than one
    invited to a few."""
    if not person.is_authenticated:
        return None
    memberships = current_memberships(person)
    member_boards = sorted({m.board_id for m in memberships})
    exempt_boards = sorted({m.board_id for m in memberships if m.role in EXEMPT_ROLES})
    staff_boards = sorted(
        {m.board_id for m in memberships if m.role == Role.SECRETARIAT or m.role in CHAIR_ROLES}
    )
    board, status = f"{meeting}board_id", f"{meeting}status"
    invitation = MeetingInvitation.objects.filter(
        meeting_id=OuterRef(f"{meeting.removesuffix('__')}_id" if meeting else "pk"),
        person_id=person.pk,
    )
    member_board = Q(**{f"{board}__in": member_boards})
    invited_as_guest = Q(Exists(invitation.filter(is_guest=True))) if links.guest else NOWHERE
    # The invitations that stand today (as ``current_invitations``): a guest's, and a member's
    # to the meetings of boards they are still members of.
    invited = invited_as_guest
    if links.member:
        invited |= member_board & Q(Exists(invitation))
    staff = Q(**{f"{board}__in": staff_boards})
    own_member_invited = NOWHERE
    if links.member:
        own_member_invited = Q(**{f"{board}__in": exempt_boards}) & Q(
            Exists(invitation.filter(is_guest=False))
        )
    return _Conditions(
        # A member's invitation is to their own board's meetings, which they see anyway.
        agenda=staff | (~Q(**{status: Status.DRAFT}) & (member_board | invited_as_guest)),
        papers=staff | (Q(**{f"{status}__in": PUBLISHED_STATES}) & invited),
        exempt=staff | own_member_invited,
    )


def current_invitations(
    person: Person, member_boards: list[int] | None = None
) -> QuerySet[MeetingInvitation]:
    """The person's invitations that stand today: guests', and members' to the meetings of
    boards they are still members of (the same rule as permissions.invitation_of)."""
    if member_boards is None:
        member_boards = sorted({m.board_id for m in current_memberships(person)})
    return MeetingInvitation.objects.filter(person_id=person.pk).filter(
        Q(is_guest=True) | Q(meeting__board_id__in=member_boards)
    )


def meetings_visible_to(person: Person) -> QuerySet[Meeting]:
    """Every meeting whose page the person may open."""
    conditions = _conditions(person)
    if conditions is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(conditions.agenda)


def meetings_with_exempt_business_open_to(person: Person) -> QuerySet[Meeting]:
    """The meetings whose exempt (confidential) business the person may see."""
    conditions = _conditions(person)
    if conditions is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(conditions.agenda & conditions.exempt)


def admissions_of(person: Person) -> QuerySet[ExemptItemAdmission]:
    """The exempt items the secretariat has admitted the person to, one by one."""
    if not person.is_authenticated:
        return ExemptItemAdmission.objects.none()
    return ExemptItemAdmission.objects.in_force().filter(person=person)


def open_business(
    queryset: QuerySet[Row],
    *,
    confidential_ok: bool,
    item: str = "agenda_item",
    admitted: Collection[int] = (),
) -> QuerySet[Row]:
    """Agenda items, papers, declarations or actions without exempt business unless the reader
    may see it: all of it (``confidential_ok``) or the items they are admitted to (``admitted``,
    agenda item ids). ``item`` is the path to the agenda item ("" for agenda items themselves)."""
    if confidential_ok:
        return queryset
    field = f"{item}__confidential" if item else "confidential"
    if not admitted:
        return queryset.exclude(**{field: True})
    key = f"{item}_id" if item else "pk"
    return queryset.exclude(Q(**{field: True}) & ~Q(**{f"{key}__in": sorted(admitted)}))


def agenda_items_visible_to(person: Person, links: Links = EVERY_LINK) -> QuerySet[AgendaItem]:
    """Agenda items the person may read, across meetings: the open business of the meetings
    they may see, and exempt business only where it is open to them (or they are admitted).
    ``links``: what the person holds, when known (``links_of``)."""
    conditions = _conditions(person, meeting="meeting__", links=links)
    if conditions is None:
        return AgendaItem.objects.none()
    return AgendaItem.objects.filter(conditions.agenda).filter(
        Q(confidential=False) | conditions.exempt | _admitted(person, "pk", links)
    )


def papers_visible_to(person: Person, links: Links = EVERY_LINK) -> QuerySet[Paper]:
    """Every paper the person may open, across meetings (``permissions.can_view_paper`` for
    many): the papers of meetings whose papers are open to them, exempt items' papers only
    where exempt business is open to them or they are admitted to the item. Whatever else
    limits who reads a paper belongs here, so that everything read through a paper (notes on
    it, say) follows. ``links``: what the person holds, when known (``links_of``)."""
    conditions = _conditions(person, meeting="meeting__", links=links)
    if conditions is None:
        return Paper.objects.none()
    return Paper.objects.filter(conditions.agenda & conditions.papers).filter(
        Q(agenda_item__isnull=True)
        | Q(agenda_item__confidential=False)
        | conditions.exempt
        | _admitted(person, "agenda_item_id", links)
    )


def _admitted(person: Person, item: str, links: Links) -> Q:
    """Whether the person is admitted to the exempt item whose id is the row's ``item``."""
    if not links.admitted:
        return NOWHERE
    return Q(Exists(admissions_of(person).filter(agenda_item_id=OuterRef(item))))


@dataclass(frozen=True)
class Withheld:
    """An exempt item as those not entitled to it read it: its number and its reason."""

    pk: int
    number: int
    label: str
    withheld: bool = True
    confidential: bool = True
    minute_reference: str = ""

    def __str__(self) -> str:
        return f"Item {self.number}: {self.label}"


NOT_PUBLISHED_SENSITIVE = "not published — OFFICIAL-SENSITIVE"


def numbered_agenda(
    items: Iterable[AgendaItem],
    *,
    confidential_ok: bool,
    admitted: Collection[int] = (),
    sensitive_ok: bool = True,
) -> list[AgendaItem | Withheld]:
    """The whole agenda, numbered as the members number it, with each exempt item the reader
    may not see replaced by its number and reason (its title never leaves this function); for
    the public (``sensitive_ok=False``) an OFFICIAL-SENSITIVE item is withheld the same way."""
    numbered: list[AgendaItem | Withheld] = []
    for number, item in enumerate(items, start=1):
        if not sensitive_ok and item.is_sensitive and not item.confidential:
            numbered.append(
                Withheld(
                    pk=item.pk,
                    number=number,
                    label=NOT_PUBLISHED_SENSITIVE,
                    minute_reference=item.minute_reference,
                    confidential=False,
                )
            )
        elif item.confidential and not confidential_ok and item.pk not in admitted:
            numbered.append(
                Withheld(
                    pk=item.pk,
                    number=number,
                    label=item.exempt_label,
                    minute_reference=item.minute_reference,
                )
            )
        else:
            item.number = number
            item.withheld = False
            numbered.append(item)
    return numbered


# --- What the public sees -----------------------------------------------------------------------


def public_meetings(board: Board) -> QuerySet[Meeting]:
    """Every meeting past the draft stage: its date and place are public from when it is set."""
    return board.meetings.exclude(status=Status.DRAFT)


def unpublishable() -> Q:
    """OFFICIAL-SENSITIVE matter is never published (core.markings): what the public rule
    excludes from items, papers and anything else marked."""
    return Q(marking=Level.OFFICIAL_SENSITIVE)


def agenda_is_public(meeting: Meeting) -> bool:
    """The agenda is public once the papers are published (and a cancelled meeting's never)."""
    return meeting.status in PUBLISHED_STATES


def minutes_are_public(meeting: Meeting) -> bool:
    """Minutes are public only when the chair has approved them, never as a draft."""
    return meeting.status == Status.MINUTES_APPROVED


def public_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda items a visitor may read: none before publication, and never
    exempt business."""
    if not agenda_is_public(meeting):
        return AgendaItem.objects.none()
    return open_business(meeting.items.exclude(unpublishable()), confidential_ok=False, item="")


def public_papers(meeting: Meeting) -> QuerySet[Paper]:
    """The papers a visitor may read, when a board publishes them: those of the open business
    of a meeting whose papers are published, never OFFICIAL-SENSITIVE ones nor those of an
    OFFICIAL-SENSITIVE item."""
    if not agenda_is_public(meeting):
        return Paper.objects.none()
    papers = meeting.papers.exclude(unpublishable()).exclude(
        agenda_item__marking=Level.OFFICIAL_SENSITIVE
    )
    return (
        open_business(papers, confidential_ok=False)
        .filter(current_version__isnull=False)
        .select_related("agenda_item", "current_version")
    )


def pack_is_public(meeting: Meeting) -> bool:
    """The Part 1 agenda pack may be published when the agenda is, it is built, and it holds
    nothing OFFICIAL-SENSITIVE (its stored marking, the strictest of what it holds)."""
    return (
        agenda_is_public(meeting)
        and meeting.pack_state == Meeting.FileState.READY
        and not meeting.pack_handling.is_sensitive
    )


def minutes_pdf_is_public(meeting: Meeting) -> bool:
    """The Part 1 minutes' PDF may be published once approved and built, unless marked
    OFFICIAL-SENSITIVE."""
    return (
        minutes_are_public(meeting)
        and meeting.minutes_pdf_state == Meeting.FileState.READY
        and not meeting.minutes_handling.is_sensitive
    )


def public_agenda(meeting: Meeting) -> list[AgendaItem | Withheld]:
    """The public agenda: every item with the members' numbering, each exempt item as "Item 6:
    exempt — paragraph 3" in place of its title (none before publication)."""
    if not agenda_is_public(meeting):
        return []
    return numbered_agenda(
        meeting.items.prefetch_related("resolutions"), confidential_ok=False, sensitive_ok=False
    )


def public_agenda_pack(meeting: Meeting) -> FieldFile | None:
    """The Part 1 agenda pack, once the agenda is public, while no rebuild is under way and
    unless it holds anything OFFICIAL-SENSITIVE (``pack_is_public``). Part 1 holds open business
    only (each exempt item as its number and paragraph) and no online-meeting link; Part 2 is
    never public."""
    return meeting.pack_file if pack_is_public(meeting) and meeting.pack_file else None


def public_minutes_pdf(meeting: Meeting) -> FieldFile | None:
    """The Part 1 minutes (attendance, declarations, open business), once the chair has
    approved them and the PDF is built, unless marked OFFICIAL-SENSITIVE
    (``minutes_pdf_is_public``). The Part 2 minutes are never public."""
    return meeting.minutes_pdf if minutes_pdf_is_public(meeting) and meeting.minutes_pdf else None


# --- The meeting's calendar e-mails in the message log -----------------------------------------

CALENDAR_MESSAGES = (
    Notification.Message.MEETING_INVITATION,
    Notification.Message.MEETING_UPDATE,
    Notification.Message.MEETING_CANCELLED,
)


def meeting_messages(meeting: Meeting) -> QuerySet[Notification]:
    """The meeting's invitations, updates and cancellations in the board's message log."""
    return Notification.objects.filter(
        board_id=meeting.board_id,
        kind__in=CALENDAR_MESSAGES,
        event_key__startswith=f"meeting:{meeting.pk}:",
    )


def failed_meeting_messages(meeting: Meeting) -> QuerySet[Notification]:
    """The meeting's calendar e-mails that could not be sent, for the secretariat to send
    again from the meeting's page."""
    return (
        meeting_messages(meeting)
        .filter(status=Notification.Status.FAILED)
        .select_related("recipient")
        .order_by("recipient__full_name", "pk")
    )


# --- Quorum ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    needed: int
    bodies: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.bodies)

    @property
    def quorate(self) -> bool:
        return self.count >= self.needed


def meeting_invitations(meeting: Meeting) -> list[MeetingInvitation]:
    """The meeting's invitations with their people and bodies, each marked ``stands``: false
    for a member's invitation whose membership of the board has since ended."""
    still_member = BoardMembership.objects.current().filter(
        board=meeting.board_id, person=OuterRef("person")
    )
    return list(
        meeting.invitations.select_related("person", "organisation", "reply_recorded_by").annotate(
            stands=Q(is_guest=True) | Exists(still_member)
        )
    )


def meeting_quorum(
    *,
    board: Board,
    invitations: list[MeetingInvitation],
    by_attendance: bool = False,
    recused: Collection[int] = (),
) -> Quorum:
    """Member bodies represented: by replies before the meeting, by attendance after it.
    ``recused``: people (ids) who take no part in an item (a disqualifying interest), so do
    not count towards that item's quorum.

    Takes the invitations already fetched (with their organisations), so it adds no query.
    """
    invitations = [i for i in invitations if i.person_id not in recused]
    represented = {
        MeetingInvitation.Attendance.PRESENT,
        MeetingInvitation.Attendance.SUBSTITUTE,
    }
    bodies = {
        invitation.organisation.short_name
        for invitation in invitations
        if invitation.counts_for_quorum
        and invitation.organisation is not None
        and (
            invitation.attendance in represented
            if by_attendance
            # A reply from someone who has left the board since no longer counts.
            else invitation.represents and getattr(invitation, "stands", True)
        )
    }
    return Quorum(needed=board.quorum_bodies, bodies=tuple(sorted(bodies)))


def disqualified_by_item(meeting: Meeting) -> dict[int, set[int]]:
    """For each agenda item, the people (ids) who declared a disqualifying interest in it."""
    found: dict[int, set[int]] = {}
    rows = DeclarationOfInterest.objects.filter(
        meeting=meeting, disqualifying=True, agenda_item__isnull=False
    ).values_list("agenda_item_id", "person_id")
    for item_id, person_id in rows:
        found.setdefault(item_id, set()).add(person_id)
    return found


def may_vote(invitation: MeetingInvitation, *, recused: Collection[int] = ()) -> bool:
    """A voting member of the board present at the meeting, without a disqualifying interest in
    the item: never an observer, adviser, officer or guest."""
    return (
        invitation.counts_for_quorum
        and not invitation.is_guest
        and invitation.attendance == MeetingInvitation.Attendance.PRESENT
        and invitation.person_id not in recused
    )


def item_voters(item: AgendaItem) -> list[MeetingInvitation]:
    """The invitations of those who may vote on the item, by name."""
    recused = disqualified_by_item(item.meeting).get(item.pk, set())
    invitations = item.meeting.invitations.select_related("person", "organisation").order_by(
        "person__full_name"
    )
    return [i for i in invitations if may_vote(i, recused=recused)]


@dataclass(frozen=True)
class ItemQuorum:
    """An item whose quorum is lost because members declared a disqualifying interest."""

    item: AgendaItem
    quorum: Quorum
    recused: tuple[str, ...]


def items_inquorate_by_interests(
    meeting: Meeting, items: Iterable[AgendaItem], invitations: list[MeetingInvitation]
) -> list[ItemQuorum]:
    """The items that would be (or were) inquorate once those with a disqualifying interest
    leave, while the meeting as a whole is quorate."""
    by_attendance = meeting.has_been_held
    whole = meeting_quorum(
        board=meeting.board, invitations=invitations, by_attendance=by_attendance
    )
    if not whole.quorate:
        return []
    names = {i.person_id: i.person.full_name for i in invitations}
    found = []
    disqualified = disqualified_by_item(meeting)
    for item in items:
        recused = disqualified.get(item.pk)
        if not recused:
            continue
        quorum = meeting_quorum(
            board=meeting.board,
            invitations=invitations,
            by_attendance=by_attendance,
            recused=recused,
        )
        if not quorum.quorate:
            found.append(ItemQuorum(item, quorum, tuple(sorted(names.get(p, "") for p in recused))))
    return found


def label_roles(meeting: Meeting, invitations: list[MeetingInvitation]) -> None:
    """Set each invitation's ``role_label``: the invitee's roles on the board in words ("Chair",
    "Observer", "Secretariat"), or "Guest" (one query for the whole list)."""
    roles: dict[int, list[str]] = {}
    held = (
        BoardMembership.objects.current()
        .filter(board_id=meeting.board_id, person_id__in=[i.person_id for i in invitations])
        .values_list("person_id", "role")
    )
    for person_id, role in held:
        roles.setdefault(person_id, []).append(Role(role).label)
    for invitation in invitations:
        found = roles.get(invitation.person_id)
        invitation.role_label = (
            "Guest" if invitation.is_guest or not found else ", ".join(sorted(found))
        )


def invitees_who_see(item: AgendaItem) -> QuerySet[User]:
    """The meeting's invitees who may read the item (all of them for open business): the one
    rule, as a query, for notices about it."""
    meeting = item.meeting
    invited = meeting.invitations.values("person_id")
    if not item.confidential:
        return User.objects.filter(pk__in=invited)
    entitled = BoardMembership.objects.current().filter(
        board_id=meeting.board_id,
        role__in=EXEMPT_ROLES | {Role.SECRETARIAT},
    )
    staff = entitled.filter(role__in=CHAIR_ROLES | {Role.SECRETARIAT})
    members = meeting.invitations.filter(is_guest=False, person__in=entitled.values("person"))
    return User.objects.filter(
        Q(pk__in=members.values("person_id"))
        | Q(pk__in=item.admissions.in_force().values("person_id"))
        | Q(pk__in=staff.values("person"))
    ).filter(pk__in=invited)


# --- The action log and attendance statistics -------------------------------------------------


def open_actions_visible_to(person: Person, board: Board) -> QuerySet[Action]:
    """The board's open actions, across its meetings, as far as the person may see them (an
    action on exempt business only where that business is open to them), oldest due first."""
    return (
        Action.objects.filter(
            meeting__in=meetings_visible_to(person).filter(board=board),
            status__in=Action.OPEN_STATES,
        )
        .filter(Q(agenda_item__isnull=True) | Q(agenda_item__in=agenda_items_visible_to(person)))
        .select_related("owner", "meeting", "agenda_item")
        .order_by("due_on", "pk")
    )


def matters_arising(person: Person, meeting: Meeting) -> QuerySet[Action]:
    """Open actions from the board's earlier meetings, carried forward to this one."""
    return open_actions_visible_to(person, meeting.board).filter(
        meeting__starts_at__lt=meeting.starts_at
    )


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    body: str
    invited: int
    present: int
    substitute: int
    apologies: int
    absent: int


def attendance_statistics(board: Board, year: int) -> dict[str, Any]:
    """For the annual report: each person's attendance at the board's meetings held in the year,
    and for each member body the number of those meetings it was represented at (a few queries
    whatever the number of meetings)."""
    A = MeetingInvitation.Attendance
    invitations = MeetingInvitation.objects.filter(
        meeting__board=board,
        meeting__status__in=HELD_STATES,
        meeting__starts_at__year=year,
    )
    counted = (
        invitations.values("person__full_name", "organisation__short_name", "is_guest")
        .annotate(
            invited=Count("pk"),
            present=Count("pk", filter=Q(attendance=A.PRESENT)),
            substitute=Count("pk", filter=Q(attendance=A.SUBSTITUTE)),
            apologies=Count("pk", filter=Q(attendance=A.APOLOGIES)),
            absent=Count("pk", filter=Q(attendance=A.ABSENT)),
        )
        .order_by("person__full_name")
    )
    people = [
        AttendanceRow(
            row["person__full_name"],
            "Guest" if row["is_guest"] else (row["organisation__short_name"] or ""),
            row["invited"],
            row["present"],
            row["substitute"],
            row["apologies"],
            row["absent"],
        )
        for row in counted
    ]
    held = Meeting.objects.filter(board=board, status__in=HELD_STATES, starts_at__year=year).count()
    represented = (
        invitations.filter(
            attendance__in=[A.PRESENT, A.SUBSTITUTE], organisation__isnull=False, is_guest=False
        )
        .values("organisation__short_name")
        .annotate(meetings=Count("meeting", distinct=True))
        .order_by("organisation__short_name")
    )
    bodies = [(row["organisation__short_name"], row["meetings"]) for row in represented]
    return {"held": held, "people": people, "bodies": bodies}


# --- Lists --------------------------------------------------------------------------------------


def feed_meetings(person: User) -> QuerySet[Meeting]:
    """The meetings the person is invited to, from a year ago onwards, that they may see and
    that have left the draft stage: what a calendar program needs, without re-sending years
    of history on every refresh."""
    return (
        meetings_visible_to(person)
        .filter(
            # Each meeting of the window looked up in the invitations' (meeting, person) index,
            # rather than every invitation the person ever had read and joined.
            Exists(MeetingInvitation.objects.filter(meeting=OuterRef("pk"), person=person)),
            starts_at__gte=timezone.now() - FEED_HISTORY,
        )
        .exclude(status=Status.DRAFT)
        .order_by("starts_at", "pk")
    )


def feed_digest(meetings: QuerySet[Meeting], fields: Iterable[str]) -> str:
    """A digest of the fields of the meetings, in order, worked out by PostgreSQL (one query,
    no rows read): it changes whenever any of them does. Elsewhere (SQLite, the embedded
    default, has no string_agg ... ORDER BY nor md5) the rows are read and digested here."""
    fields = list(fields)
    if connection.vendor != "postgresql":
        rows = list(meetings.order_by("starts_at", "pk").values_list(*fields))
        return f"{len(rows)}-{hashlib.sha256(repr(rows).encode()).hexdigest()}"
    shown = Func(Value("\x1f"), *(F(field) for field in fields), function="concat_ws")
    found = meetings.aggregate(
        digest=Func(
            StringAgg(shown, delimiter=Value("\x1e"), order_by=("starts_at", "pk")),
            function="md5",
        ),
        count=Count("pk"),
    )
    return f"{found['count']}-{found['digest'] or ''}"


def home_panels(person: User) -> dict[str, list[Any]]:
    """My next meetings, the replies I owe and my open actions, for the home page."""
    now = timezone.now()
    upcoming = (
        current_invitations(person)
        .filter(
            meeting__ends_at__gte=now,
            meeting__status__in=[Status.SCHEDULED, Status.PAPERS_PUBLISHED],
        )
        .select_related("meeting__board")
        .only(
            "reply",
            "meeting__title",
            "meeting__starts_at",
            "meeting__venue",
            "meeting__online_link",
            "meeting__board__name",
        )
        .order_by("meeting__starts_at")
    )
    return {
        "next_meetings": list(upcoming[:5]),
        "replies_owed": list(
            upcoming.filter(reply=MeetingInvitation.Reply.NO_REPLY, meeting__starts_at__gt=now)[
                :HOME_LIST_LIMIT
            ]
        ),
        "my_actions": list(
            Action.objects.filter(
                owner=person,
                status__in=Action.OPEN_STATES,
                meeting__in=meetings_visible_to(person),
            )
            .select_related("meeting")
            .only(
                "description",
                "due_on",
                "status",
                "updated_at",
                "meeting__title",
                "meeting__starts_at",
            )
            .order_by("due_on")[:HOME_LIST_LIMIT]
        ),
    }


@dataclass(frozen=True)
class OpportunityBusiness:
    """Where the board took up an opportunity, as far as the reader may see it: the agenda items
    about it (newest meeting first) and, by recommendation id, the item each recommendation was
    agreed at."""

    discussed: list[AgendaItem]
    agreed_at: dict[int, AgendaItem]


def opportunity_business(
    person: Person, opportunity_id: int, recommendation_ids: Collection[int]
) -> OpportunityBusiness:
    """``OpportunityBusiness`` for the opportunity's page: one query finds the items that name
    the opportunity or agreed one of its recommendations (``recommendation_ids``), and only
    when there are some are they read through the meetings' one rule (two queries more)."""
    # Two indexed reads in one statement (an OR across the join would read every item).
    named = AgendaItem.objects.filter(opportunity_id=opportunity_id).values_list("pk").order_by()
    if recommendation_ids:
        agreed = AgreedRecommendation.objects.filter(
            recommendation_id__in=sorted(recommendation_ids)
        ).values_list("agenda_item_id")
        named = named.union(agreed)
    candidates = [pk for (pk,) in named]
    if not candidates:
        return OpportunityBusiness(discussed=[], agreed_at={})
    visible = list(
        agenda_items_visible_to(person)
        .filter(pk__in=candidates)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position")
    )
    by_pk = {item.pk: item for item in visible}
    links = (
        AgreedRecommendation.objects.filter(
            recommendation_id__in=sorted(recommendation_ids), agenda_item_id__in=sorted(by_pk)
        ).values_list("recommendation_id", "agenda_item_id")
        if recommendation_ids and by_pk
        else []
    )
    return OpportunityBusiness(
        discussed=[item for item in visible if item.opportunity_id == opportunity_id],
        agreed_at={recommendation: by_pk[item] for recommendation, item in links},
    )

"""Reads about people, bodies and boards: who holds which role, and a body's executives."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.arrays import among_ids

from .models import (
    ApiToken,
    Board,
    BoardMembership,
    ExecutiveAuthority,
    Organisation,
    OrganisationSignOn,
    PersonInvitation,
    SignedInSession,
    User,
)


def executives_of(organisation: Organisation) -> QuerySet[User]:
    """The people who may record this body's decisions today."""
    authorities = ExecutiveAuthority.objects.in_force().filter(organisation=organisation)
    return User.objects.filter(pk__in=authorities.values("person_id"))


def executives_by_organisation(organisation_ids: Iterable[int]) -> dict[int, set[User]]:
    """Each body's executives, by organisation id, in one query for them all."""
    people: dict[int, set[User]] = defaultdict(set)
    authorities = ExecutiveAuthority.objects.in_force().filter(
        among_ids("organisation_id", organisation_ids)
    )
    for authority in authorities.select_related("person"):
        people[authority.organisation_id].add(authority.person)
    return people


def executives_among(person_ids: Iterable[int]) -> frozenset[int]:
    """Which of these people are a body's executive today (one query for them all)."""
    return frozenset(
        ExecutiveAuthority.objects.in_force()
        .filter(among_ids("person_id", person_ids))
        .values_list("person_id", flat=True)
    )


def executive_organisation_ids_of(person: User) -> frozenset[int]:
    """The bodies this person may record decisions for today."""
    return frozenset(
        ExecutiveAuthority.objects.in_force()
        .filter(person=person)
        .values_list("organisation_id", flat=True)
    )


def board_people(
    board: Board,
    *,
    roles: Iterable[str] | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[User]:
    """People holding a current role on the board (of these roles, for this body), who can
    sign in."""
    memberships = BoardMembership.objects.current().filter(board=board)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return User.objects.filter(pk__in=memberships.values("person_id"), is_active=True)


def secretariats_of(board_ids: Iterable[int]) -> dict[int, set[User]]:
    """Each board's current, active secretariat, by board id, in one query (for reminders
    covering many boards' business at once)."""
    people: dict[int, set[User]] = defaultdict(set)
    memberships = (
        BoardMembership.objects.current()
        .filter(among_ids("board_id", board_ids), role=BoardMembership.Role.SECRETARIAT)
        .filter(person__is_active=True)
        .select_related("person")
    )
    for membership in memberships:
        people[membership.board_id].add(membership.person)
    return people


def authorities_of(person: User) -> QuerySet[ExecutiveAuthority]:
    """The person's executive authorities in force, with their bodies."""
    return (
        ExecutiveAuthority.objects.in_force().filter(person=person).select_related("organisation")
    )


def pending_invitations(boards: list[Board]) -> list[PersonInvitation]:
    """Invitations to these boards not yet accepted, the soonest to expire first."""
    if not boards:
        return []
    return list(
        PersonInvitation.objects.pending()
        .filter(board__in=boards)
        .select_related("person", "board")
        .order_by("expires_at")
    )


def invitable_people(board: Board) -> QuerySet[User]:
    """Active people who hold a current role on the board or belong to one of its bodies: whom
    the secretariat may pick from a list (anyone else is found by exact e-mail address)."""
    members = BoardMembership.objects.current().filter(board=board).values("person_id")
    return User.objects.filter(
        Q(pk__in=members) | Q(organisation__in=board.organisations.all()), is_active=True
    )


def signed_in_sessions_of(person: User) -> list[SignedInSession]:
    """The person's sessions that are still open, most recently used first (sessions ended by
    a password change or by expiry are left out): one query for the records, one for the
    session store."""
    from django.contrib.sessions.models import Session

    records = list(SignedInSession.objects.filter(person=person).order_by("-last_seen_at"))
    alive = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    return [record for record in records if record.session_key in alive]


# The most senior role names a person who holds several on one board (a signature's reason).
ROLE_SENIORITY = (
    BoardMembership.Role.CHAIR,
    BoardMembership.Role.VICE_CHAIR,
    BoardMembership.Role.SECRETARIAT,
    BoardMembership.Role.MEMBER,
    BoardMembership.Role.ADVISER,
    BoardMembership.Role.OBSERVER,
)


def role_label_on(person: User, board: Board, on: date) -> str:
    """The label of the most senior role the person held on the board that day ("Chair"), or
    an empty string (one query)."""
    held = set(
        BoardMembership.objects.current(on)
        .filter(person=person, board=board)
        .values_list("role", flat=True)
    )
    for role in ROLE_SENIORITY:
        if role in held:
            return str(BoardMembership.Role(role).label)
    return ""


def api_tokens_of(person: User) -> list[ApiToken]:
    """The person's API tokens, newest first: active, expired and revoked alike."""
    return list(ApiToken.objects.filter(person=person).order_by("-created_at", "-pk"))


def enabled_sign_ons() -> QuerySet[OrganisationSignOn]:
    """The bodies' own sign-ins the sign-in page offers, by body."""
    return (
        OrganisationSignOn.objects.filter(enabled=True, organisation__active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )

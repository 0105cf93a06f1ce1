"""Who may see and do what in the register and the referral workflow."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from boards.models import Board
from boards.permissions import (
    CHAIR_ROLES,
    Person,
    Role,
    board_for,
    boards_of,
    can_decide_for,
    can_view_board,
    current_memberships,
    executive_organisation_ids,
    is_chair,
    is_secretariat,
    register_rule,
    roles_on,
)
from core.markings import Level, Marking

from .models import Opportunity, OpportunityQuerySet, Referral

PROPOSING_ROLES = frozenset(
    {Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER, Role.ADVISER, Role.SECRETARIAT}
)


@register_rule("view_register")
def can_view_register(person: Person, board: Board) -> bool:
    return bool(roles_on(person, board))


@register_rule("propose_opportunity")
def can_propose(person: Person, board: Board) -> bool:
    return bool(PROPOSING_ROLES & roles_on(person, board))


def boards_for_proposing(person: Person) -> list[Board]:
    return [board for board in boards_of(person) if can_propose(person, board)]


def opportunities_visible_to(person: Person) -> OpportunityQuerySet:
    """The opportunities a person may see: those of their boards, and those referred to a body
    they decide for."""
    board_ids = [board.pk for board in boards_of(person)]
    executive_ids = executive_organisation_ids(person)
    if not board_ids and not executive_ids:
        return Opportunity.objects.none()
    visible = Q(board_id__in=board_ids)
    if executive_ids:
        referred = Referral.objects.filter(
            organisation_id__in=executive_ids, sent_at__isnull=False
        ).values("recommendation__opportunity_id")
        visible |= Q(pk__in=referred)
    return Opportunity.objects.filter(visible)


@register_rule("manage_opportunity")
def can_manage_opportunity(person: Person, opportunity: Opportunity) -> bool:
    """Assess, edit, move along the workflow, record and send recommendations."""
    return is_secretariat(person, opportunity.board)


@register_rule("decide_referral")
def can_decide_referral(person: Person, referral: Referral) -> bool:
    """Only a person with executive authority for the referral's own body decides it."""
    return can_decide_for(person, referral.organisation)


@register_rule("view_decisions")
def can_view_decision_matrix(person: Person, board: Board) -> bool:
    return is_secretariat(person, board)


def decision_matrix_board(person: Person, slug: str) -> Board:
    """The board whose decision matrix (page or download) is asked for."""
    return board_for(
        person,
        slug,
        can_view_decision_matrix,
        "Only the board's secretariat may see the decision matrix.",
    )


@register_rule("review_opportunity")
def can_review_opportunity(person: Person, opportunity: Opportunity) -> bool:
    """Record a review and set the estimated benefits per body: the board's secretariat, or the
    opportunity's owner while they hold a role on its board."""
    if not person.is_authenticated:
        return False
    if is_secretariat(person, opportunity.board):
        return True
    return opportunity.owner_id == person.pk and bool(roles_on(person, opportunity.board))


@register_rule("view_reviews")
def can_view_reviews(person: Person, board: Board) -> bool:
    """The board's list of reviews due and overdue: anyone holding a role on the board."""
    return can_view_board(person, board)


# --- the decision record ------------------------------------------------------------------------


@register_rule("view_decision_record")
def can_view_decision_record(
    person: Person, referral: Referral, marking: Marking | None = None
) -> bool:
    """A body's decision on a referral, its notice and the recommendation's pack: anyone holding
    a role on the board, and the executives of every body the recommendation went to (joint
    transparency: each body sees the others' decisions on what it was asked to decide).

    Handling markings narrow it: a decision document (or notice) marked ``marking``
    OFFICIAL-SENSITIVE, of a body that keeps those within itself, is read only by the body's
    own people, the board's chair and the secretariat (``reads_sensitive_decisions_of``; the
    same rule as a query: ``decision_documents_q``)."""
    if not person.is_authenticated or referral.sent_at is None:
        return False
    if (
        marking is not None
        and marking.is_sensitive
        and not reads_sensitive_decisions_of(person, referral)
    ):
        return False
    if roles_on(person, referral.recommendation.opportunity.board):
        return True
    bodies = executive_organisation_ids(person)
    return bool(bodies) and (
        referral.organisation_id in bodies
        or Referral.objects.filter(
            recommendation_id=referral.recommendation_id,
            organisation_id__in=bodies,
            sent_at__isnull=False,
        ).exists()
    )


def decision_records_visible_to(person: Person) -> QuerySet[Referral]:
    """The referrals whose decision record the person may read: ``can_view_decision_record``
    as a queryset, for lists (the API's); a test holds the two equal for every role."""
    if not person.is_authenticated:
        return Referral.objects.none()
    board_ids = [board.pk for board in boards_of(person)]
    bodies = executive_organisation_ids(person)
    visible = Q(recommendation__opportunity__board_id__in=board_ids)
    if bodies:
        asked = Referral.objects.filter(organisation_id__in=bodies, sent_at__isnull=False)
        visible |= Q(recommendation_id__in=asked.values("recommendation_id"))
    return Referral.objects.filter(visible, sent_at__isnull=False)


def own_body_ids(person: Person) -> frozenset[int]:
    """The bodies whose people the person counts among: their organisation and those they
    decide for."""
    own = set(executive_organisation_ids(person))
    if person.is_authenticated and person.organisation_id:
        own.add(person.organisation_id)
    return frozenset(own)


def reads_sensitive_decisions_of(person: Person, referral: Referral) -> bool:
    """Whether the person reads the body's OFFICIAL-SENSITIVE decision documents: everyone who
    reads its decisions when the body shares them, otherwise its own people, the board's chair
    and the secretariat."""
    if referral.organisation.shares_sensitive_decisions:
        return True
    if referral.organisation_id in own_body_ids(person):
        return True
    board = referral.recommendation.opportunity.board
    return is_chair(person, board) or is_secretariat(person, board)


def _reads_sensitive_q(person: Person, referral: str, marking: str) -> Q:
    """The one rule of a body's OFFICIAL-SENSITIVE decision matter, as a query: rows whose
    ``marking`` (a path to a marking field) is not sensitive, or whose referral (``referral``, a
    path ending in "__" or "" for a Referral itself) is of a body that shares its sensitive
    decisions, of the reader's own body, or on a board the reader chairs or is the secretariat
    of."""
    inner_boards = [
        m.board_id
        for m in current_memberships(person)
        if m.role in CHAIR_ROLES or m.role == Role.SECRETARIAT
    ]
    sensitive = Q(**{marking: Level.OFFICIAL_SENSITIVE})
    return (
        ~sensitive
        | Q(**{f"{referral}organisation__shares_sensitive_decisions": True})
        | Q(**{f"{referral}organisation_id__in": sorted(own_body_ids(person))})
        | Q(**{f"{referral}recommendation__opportunity__board_id__in": inner_boards})
    )


def decision_documents_q(person: Person, prefix: str = "") -> Q:
    """``reads_sensitive_decisions_of`` as a query over decision documents (a ReferralDocument
    with ``prefix=""``, a DecisionNotice the same), for lists that show many; the reader may
    already read the referrals' decisions."""
    return _reads_sensitive_q(person, f"{prefix}referral__", f"{prefix}marking")


def decision_notes_q(person: Person, prefix: str = "") -> Q:
    """The same rule over referrals (``prefix`` leads from the rows to a Referral): the decision
    notes, reasons and conditions of a referral whose decision is OFFICIAL-SENSITIVE are read
    only by those who read the body's sensitive decision documents."""
    return _reads_sensitive_q(person, prefix, f"{prefix}marking")


def reads_decision_notes(person: Person, referral: Referral) -> bool:
    """``decision_notes_q`` for one referral: its decision is not OFFICIAL-SENSITIVE, or the
    person reads the body's sensitive decision matter."""
    return not referral.is_sensitive or reads_sensitive_decisions_of(person, referral)


NOTES_READABLE = "notes_readable"


def with_decision_notes_readable(
    referrals: QuerySet[Referral], person: Person
) -> QuerySet[Referral]:
    """Each referral annotated ``notes_readable`` (``decision_notes_q``), for lists: the page,
    the export or the answer shows the notes only when it is true."""
    return referrals.annotate(
        **{NOTES_READABLE: ExpressionWrapper(decision_notes_q(person), output_field=BooleanField())}
    )


WITHHELD_NOTES = (
    "Withheld: the decision is OFFICIAL-SENSITIVE and its body keeps its notes to its own "
    "people, the board's chair and the secretariat."
)


@register_rule("manage_recommendation_papers")
def can_manage_recommendation_papers(person: Person, opportunity: Opportunity) -> bool:
    """Attach papers to a recommendation before it is sent: the board's secretariat."""
    return is_secretariat(person, opportunity.board)


@register_rule("ask_on_referral")
def can_ask_on_referral(person: Person, referral: Referral) -> bool:
    """A question on a referral: its body's executives, or the secretariat on their behalf."""
    return can_decide_for(person, referral.organisation) or is_secretariat(
        person, referral.recommendation.opportunity.board
    )


@register_rule("answer_on_referral")
def can_answer_on_referral(person: Person, referral: Referral) -> bool:
    return is_secretariat(person, referral.recommendation.opportunity.board)


@register_rule("record_on_behalf")
def can_record_on_behalf(person: Person, referral: Referral) -> bool:
    """The secretariat records a decision a body took in its own meeting."""
    return is_secretariat(person, referral.recommendation.opportunity.board)


@register_rule("dispute_decision")
def can_dispute_decision(person: Person, referral: Referral) -> bool:
    """An executive of the body, while a decision recorded on its behalf may be disputed."""
    return can_decide_for(person, referral.organisation) and referral.is_disputable


@register_rule("view_not_pursued")
def can_view_not_pursued(person: Person, board: Board) -> bool:
    """The register of what was considered and not pursued: anyone holding a role on the
    board."""
    return can_view_board(person, board)


def not_pursued_board(person: Person, slug: str) -> Board:
    return board_for(
        person,
        slug,
        can_view_not_pursued,
        "Only the board's members may see what it considered and did not pursue.",
    )


@register_rule("manage_milestones")
def can_manage_milestones(person: Person, opportunity: Opportunity) -> bool:
    """Add and update the delivery milestones of an approved collaboration: the board's
    secretariat, or the collaboration's lead officer (its owner) while they hold a role on its
    board."""
    return can_review_opportunity(person, opportunity)


@register_rule("change_decision_marking")
def can_change_decision_marking(person: Person, referral: Referral) -> bool:
    """Change the handling marking of a body's decision or of its documents: the body's own
    executives, who record it, or the secretariat, who records decisions on a body's behalf."""
    return can_decide_referral(person, referral) or can_record_on_behalf(person, referral)

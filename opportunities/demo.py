"""Demonstration register: a dozen opportunities in different states, built through the same
services people use, so each has a true timeline. An opportunity already present (by title) is
left as it is, so seeding twice gives the same data."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from boards.demo import BOARD_SLUG
from boards.models import Board, ExecutiveAuthority, User
from notifications.services import notifications_suppressed

from . import services
from .models import Opportunity, Referral, Status, Theme

SECRETARIAT = "priya.shah@warwickshire-cc.example"
APPROVED = Referral.Status.APPROVED
CONDITIONS = Referral.Status.APPROVED_WITH_CONDITIONS
DECLINED = Referral.Status.DECLINED
DEFERRED = Referral.Status.DEFERRED


@dataclass
class DemoOpportunity:
    title: str
    theme: str
    lead: str
    bodies: tuple[str, ...]
    summary: str
    proposer: str
    cashable: int | None = None
    cost: int | None = None
    non_cashable: str = ""
    risks: str = ""
    rag: str = ""
    # The path through the workflow: statuses to move to by hand, then a recommendation whose
    # referrals get these decisions (None: still pending), then later statuses.
    assess: bool = True
    recommend: str = ""
    send: bool = True
    decisions: dict = field(default_factory=dict)
    due_in_days: int = 28
    then: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


REGISTER = [
    DemoOpportunity(
        "Shared fire and police station at Southam",
        Theme.ESTATES,
        "WFRS",
        ("WFRS", "Police", "WCC"),
        "Bring the Southam safer neighbourhood team into the fire station, sharing the building, "
        "parking and welfare facilities, and release the police station for disposal.",
        "rachel.finch@fire.example",
        cashable=85000,
        cost=240000,
        rag="green",
        non_cashable="Closer joint working on the ground; a visible blue light presence in the town.",
        risks="Building works disrupting the on-call crew; planning consent for the extension.",
        recommend="The board recommends that each body approves co-location at Southam fire station, "
        "with the police station released for disposal.",
        decisions={"WFRS": APPROVED, "Police": APPROVED, "WCC": APPROVED},
        due_in_days=-200,
        then=(Status.IN_DELIVERY,),
    ),
    DemoOpportunity(
        "Joint arson reduction taskforce",
        Theme.PREVENTION,
        "WFRS",
        ("WFRS", "Police"),
        "A joint fire and police team that targets deliberate fires: shared intelligence, joint "
        "patrols of hot spots, and removal of fly-tipped waste with the district councils.",
        "simon.ashworth@police.example",
        cashable=40000,
        cost=30000,
        rag="green",
        non_cashable="Fewer deliberate fires and safer neighbourhoods.",
        recommend="The board recommends a joint arson reduction taskforce for an initial two years.",
        decisions={"WFRS": APPROVED, "Police": APPROVED},
        due_in_days=-400,
        then=(Status.IN_DELIVERY, Status.IMPLEMENTED),
    ),
    DemoOpportunity(
        "Shared control room feasibility study",
        Theme.CONTROL_ROOMS,
        "Police",
        ("Police", "WFRS", "OPCC"),
        "Study whether police and fire call handling and dispatch can share a control room, "
        "systems and resilience arrangements.",
        "tom.reid@opcc.example",
        cost=60000,
        rag="amber",
        risks="Different mobilising systems and contracts ending at different dates.",
        recommend="The board recommends commissioning a joint feasibility study into a shared control room.",
        decisions={"Police": APPROVED, "OPCC": APPROVED, "WFRS": None},
        due_in_days=-10,
    ),
    DemoOpportunity(
        "Joint fleet maintenance workshop",
        Theme.FLEET,
        "WCC",
        ("WCC", "Police", "WFRS"),
        "Maintain police cars, fire appliances and council vehicles in one workshop with shared "
        "technicians and parts stock.",
        "margaret.bell@warwickshire-cc.example",
        cashable=120000,
        cost=350000,
        rag="amber",
        recommend="The board recommends a joint fleet maintenance workshop at the council's depot.",
        decisions={"WCC": None, "Police": None, "WFRS": None},
        due_in_days=21,
    ),
    DemoOpportunity(
        "Falls-response pilot with health and social care",
        Theme.HEALTH_SOCIAL_CARE,
        "WFRS",
        ("WFRS", "WCC"),
        "Fire crews respond to people who have fallen at home but are not injured, freeing "
        "ambulances, with referrals to adult social care.",
        "rachel.finch@fire.example",
        cost=45000,
        rag="green",
        non_cashable="Faster help for older people; fewer ambulance hours spent on non-injury falls.",
        recommend="The board recommends a twelve-month falls-response pilot in two districts.",
        decisions={"WFRS": APPROVED, "WCC": CONDITIONS},
        due_in_days=-60,
    ),
    DemoOpportunity(
        "Joint procurement of uniforms and PPE",
        Theme.PROCUREMENT,
        "Police",
        ("Police", "WFRS", "WCC"),
        "A single framework for uniforms and personal protective equipment across the services.",
        "simon.ashworth@police.example",
        cashable=25000,
        rag="red",
        recommend="The board recommends a single uniform and PPE framework.",
        decisions={"Police": APPROVED, "WFRS": APPROVED, "WCC": DECLINED},
        due_in_days=-90,
    ),
    DemoOpportunity(
        "Shared training centre at Leek Wootton",
        Theme.TRAINING,
        "Police",
        ("Police", "WFRS"),
        "Use the police headquarters site for joint driver, first aid and public order training.",
        "simon.ashworth@police.example",
        cashable=30000,
        cost=80000,
    ),
    DemoOpportunity(
        "Co-located community safety hub in Nuneaton",
        Theme.ESTATES,
        "WCC",
        ("WCC", "Police", "WFRS"),
        "Bring the council's community safety team, neighbourhood policing and fire prevention "
        "staff together in one town-centre hub.",
        "david.okafor@warwickshire-cc.example",
        assess=False,
    ),
    DemoOpportunity(
        "Shared mobile data platform",
        Theme.DIGITAL,
        "Police",
        ("Police", "WFRS"),
        "One mobile data platform for officers and crews, with shared mapping and risk information.",
        "tom.reid@opcc.example",
        cost=150000,
        rag="amber",
        then=(Status.ON_HOLD,),
    ),
    DemoOpportunity(
        "Joint wellbeing and occupational health service",
        Theme.PEOPLE,
        "OPCC",
        ("Police", "WFRS", "OPCC"),
        "One occupational health and wellbeing service for police and fire staff.",
        "helen.marsh@opcc.example",
        cashable=50000,
        rag="green",
        recommend="The board recommends a joint occupational health service from April.",
        send=False,
    ),
    DemoOpportunity(
        "Single facilities management contract",
        Theme.ESTATES,
        "WCC",
        ("WCC", "Police", "WFRS"),
        "One facilities management contract covering cleaning, maintenance and security of all "
        "three estates.",
        "margaret.bell@warwickshire-cc.example",
        cashable=95000,
        rag="amber",
        recommend="The board recommends tendering a single facilities management contract.",
        decisions={"WCC": APPROVED, "Police": DEFERRED, "WFRS": None},
        due_in_days=14,
    ),
    DemoOpportunity(
        "Joint road safety education programme",
        Theme.PREVENTION,
        "WFRS",
        ("WFRS", "Police"),
        "Joint road safety sessions for young drivers in schools and colleges.",
        "rachel.finch@fire.example",
        assess=False,
        before=(Status.WITHDRAWN,),
    ),
]


@transaction.atomic
def seed() -> None:
    board = Board.objects.get(slug=BOARD_SLUG)
    bodies = {o.short_name: o for o in board.organisations.all()}
    secretariat = User.objects.get(email=SECRETARIAT)
    existing = set(Opportunity.objects.filter(board=board).values_list("title", flat=True))
    with notifications_suppressed():
        for demo in REGISTER:
            if demo.title not in existing:
                _seed_one(demo, board, bodies, secretariat)


def _seed_one(demo: DemoOpportunity, board, bodies: dict, secretariat: User) -> None:
    today = timezone.localdate()
    opportunity = services.opportunity_propose(
        board=board,
        proposed_by=User.objects.get(email=demo.proposer),
        participating=[bodies[name] for name in demo.bodies],
        title=demo.title,
        summary=demo.summary,
        theme=demo.theme,
        lead_organisation=bodies[demo.lead],
        cashable_benefit=Decimal(demo.cashable) if demo.cashable is not None else None,
        estimated_cost=Decimal(demo.cost) if demo.cost is not None else None,
        non_cashable_benefits=demo.non_cashable,
        risks=demo.risks,
    )

    def move(to: str) -> None:
        services.opportunity_transition(opportunity=opportunity, actor=secretariat, to=to)

    for status in demo.before:
        move(status)
    if not demo.assess:
        return
    move(Status.UNDER_ASSESSMENT)
    services.opportunity_update(
        opportunity=opportunity,
        actor=secretariat,
        rag=demo.rag,
        owner=User.objects.get(email=demo.proposer),
        next_review_on=today + timedelta(days=90) if demo.rag else None,
    )
    if not demo.recommend:
        for status in demo.then:
            move(status)
        return
    due = today + timedelta(days=demo.due_in_days)
    recommendation = services.recommendation_record(
        opportunity=opportunity,
        actor=secretariat,
        wording=demo.recommend,
        agreed_on=min(today, due - timedelta(days=42)),
        decision_due_on=due,
        organisations=[bodies[name] for name in demo.decisions],
    )
    if not demo.send:
        return
    services.recommendation_send(recommendation=recommendation, actor=secretariat)
    for referral in recommendation.referrals.select_related("organisation"):
        outcome = demo.decisions.get(referral.organisation.short_name)
        if outcome is not None:
            _decide(referral, outcome)
    opportunity.refresh_from_db()
    for status in demo.then:
        move(status)


def _decide(referral: Referral, outcome: str) -> None:
    executive = User.objects.get(
        pk=ExecutiveAuthority.objects.filter(organisation=referral.organisation).values_list(
            "person_id", flat=True
        )[:1]
    )
    notes = {
        CONDITIONS: "Approved on condition that the pilot is evaluated with the NHS trust at six months.",
        DEFERRED: "Deferred: the Chief Officer Group asks for the costs of exiting current contracts.",
        DECLINED: "Declined: the council's existing framework runs until 2027.",
    }.get(outcome, "")
    services.referral_decide(
        referral=referral,
        actor=executive,
        outcome=outcome,
        reference=f"{referral.organisation.short_name}/{referral.pk:03d}",
        notes=notes,
        seen_revision=referral.revision,
    )


# Agenda items of the demo meetings that discuss an opportunity of the register.
AGENDA_LINKS = {
    "Joint arson reduction campaign": "Joint arson reduction taskforce",
    "Joint control room feasibility study": "Shared control room feasibility study",
    "Control room: supplier pricing": "Shared control room feasibility study",
    "Fleet maintenance: shared workshop": "Joint fleet maintenance workshop",
    "Health and social care: falls response": "Falls-response pilot with health and social care",
}


@transaction.atomic
def link_agenda() -> None:
    """Link the demo meetings' agenda items to the opportunities they discuss (after both are
    seeded); setting a link twice changes nothing."""
    from boards.meeting_models import AgendaItem

    board = Board.objects.get(slug=BOARD_SLUG)
    opportunities = {o.title: o for o in Opportunity.objects.filter(board=board)}
    for item in AgendaItem.objects.filter(meeting__board=board, title__in=AGENDA_LINKS):
        opportunity = opportunities.get(AGENDA_LINKS[item.title])
        if opportunity is not None and item.opportunity_id != opportunity.pk:
            AgendaItem.objects.filter(pk=item.pk).update(opportunity=opportunity)

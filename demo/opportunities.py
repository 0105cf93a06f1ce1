"""Demonstration register: a dozen opportunities in different states, built through the same
services people use, so each has a true timeline. An opportunity already present (by title) is
left as it is, so seeding twice gives the same data."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from boards.models import Board, ExecutiveAuthority, User
from core.uploads import PDF
from meetings.models import AgendaItem
from notifications.services import notifications_suppressed
from opportunities import milestone_services, referral_services, review_services, services
from opportunities.models import (
    DELIVERY_STATES,
    Benefit,
    Opportunity,
    Recommendation,
    Referral,
    ReferralEvent,
    Review,
    Status,
    Theme,
)

from .boards import BOARD_SLUG

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
    # Why it was put on hold, withdrawn or closed, and when the board may revisit it.
    reason: str = "Agreed by the board"
    revisit_in_days: int | None = None
    # Bodies whose decision the secretariat records on their behalf (taken in their own
    # meeting), and deferrals the secretariat answers before the body decides again.
    on_behalf: dict = field(default_factory=dict)
    answered: dict = field(default_factory=dict)


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
        due_in_days=-560,
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
        due_in_days=-620,
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
        on_behalf={"WCC": "Cabinet"},
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
        reason="Waiting for the national mobile data programme to choose its platform.",
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
        answered={
            "Police": (
                "Exit costs: the cleaning contract ends in March at no cost; the security "
                "contract can be ended on three months' notice for £4,200.",
                APPROVED,
            )
        },
    ),
    DemoOpportunity(
        "Joint drone unit",
        Theme.RESPONSE,
        "Police",
        ("Police", "WFRS"),
        "One drone unit with pilots from both services, flying for missing person searches, "
        "fires and flooding across the county from Leamington and Nuneaton.",
        "simon.ashworth@police.example",
        cashable=60000,
        cost=180000,
        rag="green",
        non_cashable="Faster searches for vulnerable missing people; safer firefighting at large "
        "incidents.",
        risks="Civil Aviation Authority permissions; keeping enough trained pilots on each shift.",
        recommend="The board recommends a joint drone unit hosted by Warwickshire Police.",
        decisions={"Police": APPROVED, "WFRS": APPROVED},
        due_in_days=-430,
        then=(Status.IN_DELIVERY,),
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
        reason="The Road Safety Partnership already runs these sessions in every school; a "
        "second programme would duplicate it.",
        revisit_in_days=365,
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


def _first_estimates(demo: DemoOpportunity, bodies: dict) -> dict:
    """The proposer's estimate, shared between the bodies (an opportunity whose reviews plan
    sets its own estimates has those instead)."""
    plan = REVIEWS.get(demo.title)
    if demo.cashable is None or (plan is not None and plan.estimates):
        return {}
    return services.split_estimate(
        Decimal(demo.cashable), [bodies[name] for name in demo.bodies], bodies[demo.lead]
    )


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
        estimates=_first_estimates(demo, bodies),
        estimated_cost=Decimal(demo.cost) if demo.cost is not None else None,
        non_cashable_benefits=demo.non_cashable,
        risks=demo.risks,
    )

    def move(to: str) -> None:
        revisit = today + timedelta(days=demo.revisit_in_days) if demo.revisit_in_days else None
        services.opportunity_transition(
            opportunity=opportunity,
            actor=secretariat,
            to=to,
            reason=demo.reason,
            revisit_on=revisit,
        )

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
        if demo.title in REVIEWS:
            _seed_reviews(opportunity, REVIEWS[demo.title], bodies, secretariat)
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
        name = referral.organisation.short_name
        outcome = demo.decisions.get(name)
        if outcome is None:
            continue
        if name in demo.on_behalf:
            _record_on_behalf(referral, outcome, demo.on_behalf[name], secretariat)
        else:
            _decide(referral, outcome)
        if name in demo.answered:
            answer, then = demo.answered[name]
            referral_services.referral_answer(referral=referral, actor=secretariat, answer=answer)
            _decide(referral, then)
    _backdate_referrals(recommendation)
    opportunity.refresh_from_db()
    for status in demo.then:
        move(status)
    if demo.title in REVIEWS:
        _seed_reviews(opportunity, REVIEWS[demo.title], bodies, secretariat)
    _seed_milestones(opportunity, secretariat)


# The delivery milestones of every approved collaboration: (title, days from today, % done).
MILESTONES = [
    ("Business case signed off by each body", -120, 100),
    ("Staff consulted and working arrangements agreed", -30, 100),
    ("Shared arrangements live", 60, 40),
    ("Benefits review with the board", 240, 0),
]


def _seed_milestones(opportunity: Opportunity, secretariat: User) -> None:
    opportunity.refresh_from_db()
    if opportunity.status not in DELIVERY_STATES or opportunity.milestones.exists():
        return
    today = timezone.localdate()
    done_so_far = opportunity.status == Status.IMPLEMENTED
    for title, days, percent in MILESTONES:
        milestone_services.milestone_add(
            opportunity=opportunity,
            actor=secretariat,
            title=title,
            due_on=today + timedelta(days=days),
            percent_complete=100 if done_so_far else percent,
        )


def _backdate_referrals(recommendation: Recommendation) -> None:
    """Real decisions take weeks: date the sending three days after the board agreed the
    recommendation, and each body's decision some days after that (never in the future)."""
    sent = timezone.make_aware(
        datetime.combine(recommendation.agreed_on + timedelta(days=3), time(10))
    )
    now = timezone.now()
    if sent >= now:
        return
    Recommendation.objects.filter(pk=recommendation.pk).update(sent_at=sent)
    referrals = recommendation.referrals.order_by("organisation__name")
    for index, referral in enumerate(referrals):
        changes: dict = {"sent_at": sent}
        if referral.decided_at is not None:
            changes["decided_at"] = min(sent + timedelta(days=12 + 9 * index, hours=3), now)
            # The steps of its record lead up to the decision, a few days apart.
            steps = list(referral.events.order_by("-at", "-pk").values_list("pk", flat=True))
            for back, pk in enumerate(steps):
                ReferralEvent.objects.filter(pk=pk).update(
                    at=changes["decided_at"] - timedelta(days=4 * back)
                )
        if referral.on_behalf:
            # Decided at the body's meeting the day before the secretary recorded it.
            met_on = timezone.localdate(changes["decided_at"]) - timedelta(days=1)
            changes["decision_taken_on"] = met_on
        Referral.objects.filter(pk=referral.pk).update(**changes)


def _decide(referral: Referral, outcome: str) -> None:
    executive = User.objects.get(
        pk=ExecutiveAuthority.objects.filter(organisation=referral.organisation).values_list(
            "person_id", flat=True
        )[:1]
    )
    notes_by_outcome: dict[str, str] = {
        CONDITIONS: "Approved on condition that the pilot is evaluated with the NHS trust at six months.",
        DEFERRED: "Deferred: the Chief Officer Group asks for the costs of exiting current contracts.",
        DECLINED: "Declined: the council's existing framework runs until 2027.",
    }
    notes = notes_by_outcome.get(outcome, "")
    referral.refresh_from_db()
    body = referral.organisation.short_name
    # Each decision comes with the body's minute extract, marked as the body's default: the
    # Police's OFFICIAL-SENSITIVE ones stay within the force, the chair and the secretariat.
    minute = SimpleUploadedFile(f"{body} minute extract.pdf", _minute_pdf(body, referral.pk))
    services.referral_decide(
        referral=referral,
        actor=executive,
        outcome=outcome,
        reference=f"{body}/{referral.pk:03d}" + ("/D" if outcome == DEFERRED else ""),
        notes=notes,
        seen_revision=referral.revision,
        documents=[(minute, PDF)],
        # The conditions are published in the public decision register; the notes are not.
        notice=services.DecisionNoticeFields(
            decision_forum=referral.organisation.executive_body,
            conditions="The pilot is evaluated with the NHS trust at six months."
            if outcome == CONDITIONS
            else "",
        ),
    )


def _minute_pdf(body: str, number: int) -> bytes:
    """A one-page PDF standing in for a body's minute extract."""
    from weasyprint import HTML

    html = f"<h1>{body}: minute extract</h1><p>Decision record {number:03d}.</p>"
    return bytes(HTML(string=html).write_pdf())


def _record_on_behalf(referral: Referral, outcome: str, forum: str, secretariat: User) -> None:
    """The body decided in its own meeting; the board's secretary records it afterwards."""
    referral.refresh_from_db()
    referral_services.referral_record_on_behalf(
        referral=referral,
        actor=secretariat,
        outcome=outcome,
        reference=f"{referral.organisation.short_name}/CAB/{referral.pk:03d}",
        notes="Approved on condition that the pilot is evaluated with the NHS trust at six months.",
        seen_revision=referral.revision,
        decided_by=None,
        # The meeting's date is set once the decision is dated (_backdate_referrals).
        notice=services.DecisionNoticeFields(
            decision_forum=forum,
            reasons="The pilot shares the cost of a response the council already pays for.",
            conditions="The pilot is evaluated with the NHS trust at six months.",
        ),
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
    board = Board.objects.get(slug=BOARD_SLUG)
    opportunities = {o.title: o for o in Opportunity.objects.filter(board=board)}
    for item in AgendaItem.objects.filter(meeting__board=board, title__in=AGENDA_LINKS):
        opportunity = opportunities.get(AGENDA_LINKS[item.title])
        if opportunity is not None and item.opportunity_id != opportunity.pk:
            AgendaItem.objects.filter(pk=item.pk).update(opportunity=opportunity)


# --- reviews and benefits of the opportunities in delivery, on hold or implemented -----------


@dataclass
class DemoReview:
    days_ago: int
    rag: str
    conclusion: str
    realised: dict = field(default_factory=dict)  # body: (cashable £, non-cashable note)
    non_cashable: str = ""
    next_in_days: int | None = None  # from today; None: the next review is 6 months on
    by_owner: bool = True


@dataclass
class DemoReviews:
    # Estimates per body (£ expected in total by the horizon, note), given days_ago; a later
    # estimate revises an earlier one.
    estimates: list[tuple[int, int, dict]]  # (days ago, horizon in days from today, {body: ...})
    reviews: list[DemoReview]


REVIEWS = {
    "Shared fire and police station at Southam": DemoReviews(
        estimates=[
            (
                540,
                500,
                {
                    "Police": (110000, "Release of the police station for disposal."),
                    "WFRS": (40000, "Shared running costs of the station."),
                    "WCC": (12000, "Lower business rates and shared grounds maintenance."),
                },
            ),
            (
                130,
                500,
                {
                    "Police": (125000, "Disposal agreed at a better price than expected."),
                    "WFRS": (40000, "Shared running costs of the station."),
                    "WCC": (12000, "Lower business rates and shared grounds maintenance."),
                },
            ),
        ],
        reviews=[
            DemoReview(
                480,
                "amber",
                "Building works for the extension started three weeks late after the planning "
                "condition on parking was discharged. The on-call crew have kept the appliance "
                "available throughout. The safer neighbourhood team moves in once the welfare "
                "block is finished.",
                realised={"Police": (0, ""), "WFRS": (6500, "Joint parking and welfare contract.")},
                non_cashable="Joint station open day planned with the parish council.",
            ),
            DemoReview(
                300,
                "green",
                "The safer neighbourhood team moved into the fire station in the spring. The "
                "police station is vacant and marketed for sale. Utility and cleaning contracts "
                "are now shared.",
                realised={
                    "Police": (24000, "Vacated station: rates and utilities stopped."),
                    "WFRS": (9000, "Shared cleaning and utilities."),
                    "WCC": (2400, ""),
                },
                non_cashable="Officers and crews brief together at shift change; the public "
                "counter is open four days a week instead of two.",
                by_owner=False,
            ),
            DemoReview(
                120,
                "green",
                "Sale of the former police station completed. Running costs are below the "
                "business case. The board asked for a short case study for other market towns.",
                realised={
                    "Police": (21500, "Disposal costs recovered; lower running costs."),
                    "WFRS": (8200, ""),
                    "WCC": (3100, "Shared grounds maintenance."),
                },
                non_cashable="Joint community events at the station; quicker joint response "
                "to flooding on the Itchen.",
                next_in_days=10,
            ),
        ],
    ),
    "Joint arson reduction taskforce": DemoReviews(
        estimates=[
            (
                560,
                160,
                {
                    "WFRS": (48000, "Fewer deliberate fires attended."),
                    "Police": (26000, "Fewer arson investigations and related calls."),
                },
            ),
        ],
        reviews=[
            DemoReview(
                540,
                "amber",
                "The taskforce is staffed and has mapped the hot spots in Nuneaton and Rugby. "
                "Data sharing between the fire incident system and police crime records is "
                "still by spreadsheet.",
                realised={"WFRS": (8000, ""), "Police": (4200, "")},
                non_cashable="A data sharing agreement signed by both services.",
            ),
            DemoReview(
                400,
                "green",
                "Deliberate secondary fires fell by 18% on the year in the target wards. Fly "
                "tipping removed within 48 hours in partnership with the borough councils.",
                realised={
                    "WFRS": (11500, "Fewer appliance mobilisations to deliberate fires."),
                    "Police": (6800, ""),
                },
                non_cashable="Schools programme reached 2,400 pupils.",
            ),
            DemoReview(
                260,
                "green",
                "The taskforce's approach is now business as usual in both services; the "
                "board agreed it can be treated as implemented.",
                realised={"WFRS": (12800, ""), "Police": (7100, "")},
                non_cashable="Joint arson investigation training for 30 officers and crew "
                "managers.",
                by_owner=False,
            ),
            DemoReview(
                110,
                "green",
                "Post-implementation review: savings continue at the expected rate. One more "
                "review in the spring will confirm the benefits over the full two years.",
                realised={
                    "WFRS": (9600, "Fewer deliberate vehicle fires."),
                    "Police": (5900, ""),
                },
                next_in_days=75,
            ),
        ],
    ),
    "Joint drone unit": DemoReviews(
        estimates=[
            (
                420,
                300,
                {
                    "Police": (70000, "Less use of the national police air service."),
                    "WFRS": (25000, "Shorter attendance at large fires and water rescues."),
                },
            ),
        ],
        reviews=[
            DemoReview(
                380,
                "amber",
                "Six pilots trained; the second aircraft is delayed by the supplier. Night "
                "flying permission from the Civil Aviation Authority is awaited.",
                realised={"Police": (9500, "Fewer helicopter requests."), "WFRS": (3000, "")},
            ),
            DemoReview(
                230,
                "amber",
                "Both aircraft flying. Pilot cover on night shifts is thin; a third police "
                "pilot and two fire pilots start training in the autumn.",
                realised={
                    "Police": (14200, ""),
                    "WFRS": (4800, "Thermal imaging used at two large farm fires."),
                },
                non_cashable="Three vulnerable missing people found by the drone in the period.",
                next_in_days=-21,
            ),
        ],
    ),
    "Shared mobile data platform": DemoReviews(
        estimates=[
            (
                300,
                700,
                {
                    "Police": (60000, "Retire the separate mobile data contract."),
                    "WFRS": (35000, "Risk information on every appliance without paper."),
                },
            ),
        ],
        reviews=[
            DemoReview(
                260,
                "amber",
                "On hold while the national Emergency Services Network timetable is "
                "confirmed; both services extended their current contracts by a year.",
            ),
            DemoReview(
                80,
                "red",
                "The national timetable has slipped again. The board agreed to stay on hold "
                "and look at a shared mapping service in the meantime.",
                next_in_days=50,
                by_owner=False,
            ),
        ],
    ),
}


def _seed_reviews(opportunity: Opportunity, plan: DemoReviews, bodies: dict, secretariat) -> None:
    """Estimates and reviews dated in the past, recorded through the services."""
    today = timezone.localdate()
    owner = opportunity.owner or secretariat
    for days_ago, horizon, lines in plan.estimates:
        rows = review_services.benefit_estimates_set(
            opportunity=opportunity,
            actor=secretariat,
            period_end=_year_end(today + timedelta(days=horizon)),
            estimates=[
                review_services.BodyBenefit(bodies[name], Decimal(amount), note)
                for name, (amount, note) in lines.items()
            ],
        )
        _backdate(Benefit.objects.filter(pk__in=[row.pk for row in rows]), today, days_ago)
    for index, demo in enumerate(plan.reviews):
        held_on = today - timedelta(days=demo.days_ago)
        if demo.next_in_days is not None:
            next_on = today + timedelta(days=demo.next_in_days)
        elif index + 1 < len(plan.reviews):
            next_on = today - timedelta(days=plan.reviews[index + 1].days_ago - 7)
        else:
            next_on = held_on + timedelta(days=182)
        review = review_services.review_record(
            opportunity=opportunity,
            actor=owner if demo.by_owner else secretariat,
            held_on=held_on,
            conclusion=demo.conclusion,
            rag=demo.rag,
            non_cashable_realised=demo.non_cashable,
            next_review_on=next_on,
            benefits=[
                review_services.BodyBenefit(bodies[name], Decimal(amount), note)
                for name, (amount, note) in demo.realised.items()
            ],
        )
        _backdate(Review.objects.filter(pk=review.pk), today, demo.days_ago - 2)
        _backdate(Benefit.objects.filter(review=review), today, demo.days_ago - 2)


def _year_end(day):
    """The end of the financial year (31 March) on or after the day."""
    end = day.replace(month=3, day=31)
    return end if end >= day else end.replace(year=day.year + 1)


def _backdate(rows, today, days_ago: int) -> None:
    """Demo rows look recorded when they would have been, not at seeding time."""
    moment = timezone.make_aware(
        datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
    ) + timedelta(hours=10)
    rows.update(recorded_at=moment)

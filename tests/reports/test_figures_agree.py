"""The annual report's and the dashboard's figures equal the register's: for the demo data, and
for a board built here through the services with a superseded version, deferrals, a revised
estimate, a decline and a withdrawal. The report's text is extracted from its PDF and checked."""

import csv
import io
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from boards.models import Board, BoardMembership, User
from core.govuk import money
from opportunities import services
from opportunities.models import Benefit, Opportunity, Status
from opportunities.review_services import BodyBenefit, benefit_estimates_set, review_record
from reports.models import ReportRun
from reports.services import report_run_request
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db
DECISION_COLUMNS = {
    "Approved": "approved",
    "Approved with conditions": "with_conditions",
    "Declined": "declined",
}


def csv_rows(response) -> list[dict[str, str]]:
    """The rows of a download, under its first line (its handling marking)."""
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    marking, _, table = content.partition("\r\n")
    assert marking.startswith("Handling marking: ")
    return list(csv.DictReader(io.StringIO(table)))


def register_figures(client, board: Board) -> dict:
    """What the register says, read from its own downloads and the opportunities' pages."""
    opportunities = [
        row
        for row in csv_rows(client.get(reverse("register_export_csv")))
        if row["Board"] == board.name
    ]
    estimated = sum(
        (Decimal(row["Estimated cashable benefit (£)"] or "0") for row in opportunities),
        Decimal("0"),
    )
    matrix = csv_rows(client.get(reverse("decision_matrix_export_csv", args=[board.slug])))
    bodies = [body.short_name for body in board.active_bodies()]
    decided: Counter = Counter()
    awaiting: Counter = Counter()
    for row in matrix:
        if row["Current or superseded"] != "Current":
            continue
        for body in bodies:
            status = row[body]
            if status in DECISION_COLUMNS:
                decided[(body, DECISION_COLUMNS[status])] += 1
            elif status.startswith(("Awaiting decision", "Deferred")):
                awaiting[body] += 1
    return {"estimated": estimated, "decided": decided, "awaiting": awaiting}


def dashboard_figures(client, board: Board) -> dict:
    figures = client.get(reverse("board_dashboard", args=[board.slug])).context["figures"]
    return {
        "estimated": sum(row.estimated for row in figures["benefits"]),
        "realised": sum(row.realised for row in figures["benefits"]),
        "awaiting": Counter({row.body.short_name: row.pending for row in figures["pending"]}),
        "over_time": figures["benefits_over_time"][-1] if figures["benefits_over_time"] else None,
    }


def report_text(board: Board, person: User, capture, start: date, end: date) -> str:
    with capture(execute=True):
        run = report_run_request(board=board, requested_by=person, start=start, end=end)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def realised_to(board: Board, end: date) -> Decimal:
    return sum(
        Benefit.objects.filter(
            opportunity__board=board, kind=Benefit.Kind.REALISED, period_end__lte=end
        ).values_list("cashable", flat=True),
        Decimal("0"),
    )


def assert_figures_agree(client, board, person, capture) -> str:
    register = register_figures(client, board)
    dashboard = dashboard_figures(client, board)
    assert register["estimated"] > 0 and sum(register["decided"].values()) > 0
    today = timezone.localdate()
    # Estimated benefits: the register's column, the dashboard's table and chart agree.
    assert dashboard["estimated"] == register["estimated"]
    assert dashboard["over_time"]["estimated"] == register["estimated"]
    # Awaiting decisions: the matrix's current rows and the dashboard's.
    for body, count in register["awaiting"].items():
        assert dashboard["awaiting"][body] == count, body
    # The realised line stops at today.
    assert dashboard["over_time"]["realised"] == realised_to(board, today)

    start = date(2000, 1, 1)
    text = report_text(board, person, capture, start, today)
    estimated = money(register["estimated"], nearest_pound=True)
    realised = money(realised_to(board, today), nearest_pound=True)
    assert f"Cashable benefits estimated {estimated}" in text
    assert f"Cashable benefits realised {realised}" in text
    assert ".00" not in text
    for body in board.active_bodies():
        approved = register["decided"][(body.short_name, "approved")]
        conditions = register["decided"][(body.short_name, "with_conditions")]
        declined = register["decided"][(body.short_name, "declined")]
        summary = (
            f"{body.name}: {approved} approved, {conditions} approved with conditions, "
            f"{declined} declined, "
        )
        assert summary in text, summary
        assert f"deferred, {register['awaiting'][body.short_name]} awaiting" in text
    return text


def test_the_figures_agree_for_the_demo_data(client_of, django_capture_on_commit_callbacks):
    call_command("seed_demo")
    board = Board.objects.get(slug="warwickshire-blue-light")
    secretariat = (
        BoardMembership.objects.current()
        .filter(board=board, role=BoardMembership.Role.SECRETARIAT)
        .select_related("person")
        .first()
        .person
    )
    client = client_of(secretariat)
    text = assert_figures_agree(client, board, secretariat, django_capture_on_commit_callbacks)
    assert "The chair's summary" in text
    assert text.index("The chair's summary") < text.index("Opportunities approved in the period")


@pytest.fixture
def generated(
    board, alice, bob, pat, erin, cara, police, fire, council, make_opportunity, record, deliver
):
    """A board with a superseded version, deferrals, estimate history, a decline, delivery with
    realised benefits and a withdrawal with its reason."""
    today = timezone.localdate()

    def assessed(title, **fields):
        opportunity = make_opportunity(title=title, **fields)
        services.opportunity_transition(
            opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
        )
        return opportunity

    southam = assessed(
        "Southam station",
        participating=[police, fire, council],
        estimates={police: Decimal("60000"), fire: Decimal("40000")},
    )
    first = record(southam, [police, fire, council])
    services.recommendation_send(recommendation=first, actor=alice)
    decide(referral_for(first, police), pat, outcome="deferred", notes="What of the lease?")
    decide(referral_for(first, fire), erin, outcome="approved")
    southam.refresh_from_db()
    second = record(southam, [police, fire, council], wording="Do it, with the lease agreed.")
    services.recommendation_send(recommendation=second, actor=alice)
    decide(referral_for(second, police), pat, outcome="deferred", notes="The lease terms?")
    decide(referral_for(second, police), pat, outcome="approved_with_conditions", notes="Lease.")
    decide(referral_for(second, fire), erin, outcome="approved")
    decide(referral_for(second, council), cara, outcome="approved")
    benefit_estimates_set(
        opportunity=southam,
        actor=alice,
        period_end=today + timedelta(days=400),
        estimates=[BodyBenefit(police, Decimal("47300"))],
    )
    southam = deliver(Opportunity.objects.get(pk=southam.pk), owner=bob)
    review_record(
        opportunity=southam,
        actor=alice,
        held_on=today,
        conclusion="On track.",
        rag="green",
        next_review_on=today + timedelta(days=90),
        benefits=[BodyBenefit(police, Decimal("12200.40")), BodyBenefit(fire, Decimal("800"))],
    )

    drones = assessed("Joint drone unit", participating=[police, fire])
    recommendation = record(drones, [police, fire])
    services.recommendation_send(recommendation=recommendation, actor=alice)
    decide(referral_for(recommendation, fire), erin, outcome="declined", notes="No budget.")

    fleet = make_opportunity(
        title="Fleet workshop", participating=[council], estimates={council: Decimal("5000")}
    )
    services.opportunity_transition(
        opportunity=fleet, actor=alice, to=Status.WITHDRAWN, reason="The county runs its own."
    )
    return board


def test_the_figures_agree_for_a_generated_board(
    client_of, alice, generated, police, fire, django_capture_on_commit_callbacks
):
    text = assert_figures_agree(
        client_of(alice), generated, alice, django_capture_on_commit_callbacks
    )
    # One source: 47,300 + 40,000 (the police's revised estimate replaces its first) + 5,000.
    assert "Cashable benefits estimated £92,300" in text
    assert "Cashable benefits realised £13,000" in text
    # The current version's deferral counts as an event though the police then decided; the
    # superseded version's deferral and approval are left out.
    assert (
        f"{police.name}: 0 approved, 1 approved with conditions, 0 declined, 1 deferred, " in text
    )
    assert f"{fire.name}: 1 approved, 0 approved with conditions, 1 declined, 0 deferred" in text
    # What was not pursued, and why.
    assert "Fleet workshop: withdrawn on" in text and "The county runs its own." in text
    assert "Joint drone unit: not approved on" in text
    assert f"Declined by {fire.name} (No budget.)" in text
    assert "1 opportunity is in delivery: Southam station." in text


def test_the_realised_line_stops_at_today(client_of, alice, generated, police):
    southam = Opportunity.objects.get(title="Southam station")
    Benefit.objects.create(
        opportunity=southam,
        organisation=police,
        kind=Benefit.Kind.REALISED,
        cashable=Decimal("999"),
        period_end=timezone.localdate() + timedelta(days=200),
        recorded_by=alice,
    )
    figures = (
        client_of(alice).get(reverse("board_dashboard", args=[generated.slug])).context["figures"]
    )
    last = figures["benefits_over_time"][-1]
    assert last["quarter"] <= timezone.localdate() < last["quarter"] + timedelta(days=92)
    assert last["realised"] == Decimal("13000.40")

"""Every figure of the board dashboard, against data built here with exact numbers; another
board's data never counts."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from opportunities.models import Benefit, Status, Theme

from .conftest import TODAY, at, benefit, opportunity, recommendation, referral

pytestmark = pytest.mark.django_db
EST, REAL = Benefit.Kind.ESTIMATED, Benefit.Kind.REALISED


@pytest.fixture
def register(board, police, fire, council, elsewhere, outsider_org):
    """Five opportunities of the board (and one of another board), with referrals, benefits and
    review dates whose figures the tests below state."""
    a = opportunity(
        board,
        police,
        title="Shared station",
        status=Status.AWAITING_DECISIONS,
        review=TODAY - timedelta(days=5),
    )
    b = opportunity(
        board,
        fire,
        title="Arson taskforce",
        status=Status.APPROVED,
        review=TODAY + timedelta(days=10),
    )
    c = opportunity(
        board,
        fire,
        title="Falls response",
        status=Status.IN_DELIVERY,
        theme=Theme.PREVENTION,
        review=TODAY + timedelta(days=30),
    )
    opportunity(
        board,
        police,
        title="Fleet workshop",
        theme=Theme.FLEET,
        review=TODAY + timedelta(days=31),
    )
    e = opportunity(
        board,
        council,
        title="Joint training",
        status=Status.AWAITING_DECISIONS,
        theme=Theme.TRAINING,
    )

    # Decisions pending: A's recommendation awaits Police (overdue), Fire (deferred, not yet
    # due) and the council (due today, so not overdue).
    rec_a = recommendation(
        a, agreed_on=TODAY - timedelta(days=40), sent_at=at(TODAY - timedelta(days=39))
    )
    referral(rec_a, police, due_on=TODAY - timedelta(days=1))
    referral(
        rec_a,
        fire,
        status="deferred",
        due_on=TODAY + timedelta(days=5),
        decided_at=at(TODAY - timedelta(days=2)),
    )
    referral(rec_a, council, due_on=TODAY)
    # E: a superseded recommendation's referral and an unsent revision's never count.
    old = recommendation(
        e,
        agreed_on=TODAY - timedelta(days=90),
        sent_at=at(TODAY - timedelta(days=89)),
        superseded_at=at(TODAY - timedelta(days=10)),
    )
    referral(old, police, due_on=TODAY - timedelta(days=60))
    unsent = recommendation(e, agreed_on=TODAY - timedelta(days=10), version=2)
    referral(unsent, fire, due_on=TODAY - timedelta(days=1))

    # Time to decision: Police 10 days; Fire 5 days and 20¼ days (12.6 on average).
    sent_b = at(TODAY - timedelta(days=100))
    rec_b = recommendation(b, agreed_on=TODAY - timedelta(days=101), sent_at=sent_b)
    referral(rec_b, police, status="approved", decided_at=sent_b + timedelta(days=10))
    referral(rec_b, fire, status="approved_with_conditions", decided_at=sent_b + timedelta(days=5))
    sent_c = at(TODAY - timedelta(days=200))
    rec_c = recommendation(c, agreed_on=TODAY - timedelta(days=201), sent_at=sent_c)
    referral(rec_c, fire, status="declined", decided_at=sent_c + timedelta(days=20, hours=6))

    # Benefits: estimated in Jan to Mar 2026, realised in Apr to Jun and Oct to Dec 2026.
    benefit(a, police, EST, "10000.00", TODAY.replace(month=3, day=31))
    benefit(a, fire, EST, "5000.50", TODAY.replace(month=3, day=31))
    benefit(b, police, REAL, "1200.00", TODAY.replace(month=6, day=30))
    benefit(b, fire, REAL, "300.25", TODAY.replace(month=5, day=15))
    benefit(b, police, REAL, "800.00", TODAY.replace(month=12, day=31))

    # Another board's opportunity: nothing of it counts.
    x = opportunity(
        elsewhere,
        outsider_org,
        title="Elsewhere merger",
        status=Status.AWAITING_DECISIONS,
        review=TODAY - timedelta(days=50),
    )
    rec_x = recommendation(
        x, agreed_on=TODAY - timedelta(days=60), sent_at=at(TODAY - timedelta(days=59))
    )
    referral(rec_x, police, due_on=TODAY - timedelta(days=30))
    referral(rec_x, fire, status="approved", decided_at=at(TODAY - timedelta(days=1)))
    benefit(x, police, REAL, "99999.00", TODAY.replace(month=6, day=30))
    benefit(x, fire, EST, "77777.00", TODAY.replace(month=3, day=31))


@pytest.fixture
def figures(client_of, bob, register):
    response = client_of(bob).get(reverse("board_dashboard", kwargs={"slug": "warwickshire"}))
    assert response.status_code == 200
    return response.context["figures"]


def by_body(rows, *keys):
    return {row.body.short_name: tuple(getattr(row, key) for key in keys) for row in rows}


def test_opportunities_by_status(figures):
    counts = dict(figures["by_status"])
    assert counts == {
        "Proposed": 1,
        "Under assessment": 0,
        "Recommended": 0,
        "Awaiting decisions": 2,
        "Approved": 1,
        "Not approved": 0,
        "In delivery": 1,
        "Implemented": 0,
        "Closed": 0,
        "On hold": 0,
        "Withdrawn": 0,
    }
    assert figures["total"] == 5


def test_opportunities_by_theme(figures):
    counts = {label: count for label, count in figures["by_theme"] if count}
    assert counts == {
        "Estates and shared premises": 2,
        "Prevention (e.g. arson reduction)": 1,
        "Fleet": 1,
        "Training": 1,
    }
    assert len(figures["by_theme"]) == len(Theme)


def test_decisions_pending_per_body_with_overdue(figures):
    assert by_body(figures["pending"], "pending", "overdue") == {
        "Police": (1, 1),
        "WFRS": (1, 0),
        "WCC": (1, 0),
    }


def test_average_days_from_referral_sent_to_final_decision(figures):
    assert by_body(figures["decision_days"], "days", "decided") == {
        "Police": (10.0, 1),
        "WFRS": (12.6, 2),
        "WCC": (None, 0),
    }


def test_benefits_estimated_and_realised_per_body(figures):
    assert by_body(figures["benefits"], "estimated", "realised") == {
        "Police": (Decimal("10000.00"), Decimal("2000.00")),
        "WFRS": (Decimal("5000.50"), Decimal("300.25")),
        "WCC": (Decimal("0.00"), Decimal("0.00")),
    }


def test_benefits_add_up_quarter_by_quarter_with_gaps_carried(figures):
    # The estimates were made today (in the October to December quarter), whatever the date
    # their savings fall; realised benefits count by the end of their period.
    rows = [(r["label"], r["estimated"], r["realised"]) for r in figures["benefits_over_time"]]
    assert rows == [
        ("Jan to Mar 2026", Decimal("0.00"), Decimal("0.00")),
        ("Apr to Jun 2026", Decimal("0.00"), Decimal("1500.25")),
        ("Jul to Sep 2026", Decimal("0.00"), Decimal("1500.25")),
        ("Oct to Dec 2026", Decimal("15000.50"), Decimal("2300.25")),
    ]


def test_reviews_count_only_opportunities_under_review(figures):
    # "Shared station" (awaiting decisions, date past) and "Arson taskforce" (approved) carry
    # review dates but are not yet under review; "Fleet workshop" falls after the horizon.
    reviews = figures["reviews"]
    assert (reviews["overdue"], reviews["due_soon"]) == (0, 1)
    assert [o.title for o in reviews["listed"]] == ["Falls response"]


def test_reviews_overdue_and_due_in_30_days(board, police, fire, client_of, bob):
    for title, status, days in [
        ("Overdue in delivery", Status.IN_DELIVERY, -5),
        ("Overdue on hold", Status.ON_HOLD, -1),
        ("Due implemented", Status.IMPLEMENTED, 0),
        ("Due in delivery", Status.IN_DELIVERY, 30),
        ("Later in delivery", Status.IN_DELIVERY, 31),
        ("Closed long ago", Status.CLOSED, -40),
    ]:
        opportunity(board, police, title=title, status=status, review=TODAY + timedelta(days=days))
    response = client_of(bob).get(reverse("board_dashboard", kwargs={"slug": "warwickshire"}))
    reviews = response.context["figures"]["reviews"]
    assert (reviews["overdue"], reviews["due_soon"]) == (2, 2)
    assert [o.title for o in reviews["listed"]] == [
        "Overdue in delivery",
        "Overdue on hold",
        "Due implemented",
        "Due in delivery",
    ]


def test_the_charts_read_the_same_figures_as_the_tables(client_of, bob, register):
    response = client_of(bob).get(reverse("board_dashboard", kwargs={"slug": "warwickshire"}))
    html = response.content.decode()
    opening = '<script id="dashboard-data" type="application/json">'
    data = json.loads(html[html.index(opening) + len(opening) :].split("</script>", 1)[0])
    assert data["pending"] == {
        "labels": ["WCC", "WFRS", "Police"],
        "pending": [1, 1, 1],
        "overdue": [0, 0, 1],
    }
    assert data["benefits"]["estimated"] == [0.0, 5000.5, 10000.0]
    assert data["benefits_over_time"]["realised"] == [0.0, 1500.25, 1500.25, 2300.25]
    assert data["decision_days"]["values"] == [None, 12.6, 10.0]
    assert "£10,000" in html and "£2,300" in html
    assert "99,999" not in html and "Elsewhere merger" not in html


def test_only_each_bodys_latest_estimate_counts(board, police, fire, client_of, bob):
    from datetime import date

    from reports.collaboration import benefits_in_period
    from reports.figures import board_bodies

    opp = opportunity(board, police, title="Revised twice", status=Status.IN_DELIVERY)
    first = benefit(opp, police, EST, "25000", date(2027, 3, 31))
    second = benefit(opp, police, EST, "25001", date(2027, 3, 31))
    benefit(opp, fire, EST, "9000", date(2027, 3, 31))
    benefit(opp, police, REAL, "400", date(2026, 9, 30))
    benefit(opp, police, REAL, "600", date(2026, 10, 31))
    type(first).objects.filter(pk=first.pk).update(recorded_at=second.recorded_at)  # same moment

    response = client_of(bob).get(reverse("board_dashboard", kwargs={"slug": "warwickshire"}))
    figures = response.context["figures"]
    assert by_body(figures["benefits"], "estimated", "realised")["Police"] == (
        Decimal("25001.00"),
        Decimal("1000.00"),
    )
    assert figures["benefits_over_time"][-1]["estimated"] == Decimal("34001.00")
    in_period = benefits_in_period(board, board_bodies(board), date(2026, 4, 1), date(2027, 3, 31))
    assert by_body(in_period, "estimated", "realised")["Police"] == (
        Decimal("25001.00"),
        Decimal("1000.00"),
    )

"""One source of truth for estimated benefits: per-body estimates. The proposal asks each body's
estimate; the opportunity page, the register's download, the referral pack and the dashboard all
read the same figure; the old single figure is moved into per-body estimates by a migration."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Organisation, User
from opportunities import services
from opportunities.models import Benefit, Opportunity, add_months
from opportunities.review_services import BodyBenefit, benefit_estimates_set
from reports.figures import benefit_sums, benefits_by_body, board_bodies
from tests.opportunities.test_exports import read_csv

URL = reverse("opportunity_propose")


def proposal(lead, *bodies, **changes):
    data = {
        "title": "Joint arson reduction taskforce",
        "summary": "Target deliberate fires together.",
        "theme": "prevention",
        "lead_organisation": lead.pk,
        "participating_organisations": [b.pk for b in bodies],
        "estimated_cost": "",
        "non_cashable_benefits": "",
        "risks": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_proposal_asks_each_bodys_estimate(client_of, bob, fire, police):
    response = client_of(bob).post(
        URL,
        proposal(
            fire, police, **{f"estimate_{fire.pk}": "30000", f"estimate_{police.pk}": "12500.50"}
        ),
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    rows = {
        row.organisation: row
        for row in Benefit.objects.filter(opportunity=opportunity, kind=Benefit.Kind.ESTIMATED)
    }
    assert {body: row.cashable for body, row in rows.items()} == {
        fire: Decimal("30000.00"),
        police: Decimal("12500.50"),
    }
    assert {row.period_end for row in rows.values()} == {add_months(timezone.localdate(), 12)}
    assert all(row.recorded_by == bob for row in rows.values())


@pytest.mark.django_db
def test_an_estimate_for_a_body_not_taking_part_is_refused(client_of, bob, fire, council):
    response = client_of(bob).post(URL, proposal(fire, **{f"estimate_{council.pk}": "5000"}))
    assert response.status_code == 200
    assert f"{council.name} does not take part" in response.content.decode()
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_a_negative_estimate_is_refused(client_of, bob, fire):
    response = client_of(bob).post(URL, proposal(fire, **{f"estimate_{fire.pk}": "-1"}))
    assert "Enter an amount of £0 or more." in response.content.decode()
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_the_edit_form_does_not_ask_for_estimates(client_of, alice, opportunity, fire):
    page = client_of(alice).get(reverse("opportunity_edit", args=[opportunity.pk]))
    assert f"estimate_{fire.pk}" not in page.content.decode()
    assert 'name="cashable_benefit"' not in page.content.decode()


@pytest.mark.django_db
def test_every_page_reads_the_same_figure(
    client_of, alice, bob, board, make_opportunity, police, fire
):
    opportunity = make_opportunity(
        title="Southam station",
        participating=[police, fire],
        estimates={police: Decimal("60000"), fire: Decimal("40000")},
    )
    # A revised estimate for the police replaces the first in every figure (history is kept).
    benefit_estimates_set(
        opportunity=opportunity,
        actor=alice,
        period_end=date(2028, 3, 31),
        estimates=[BodyBenefit(police, Decimal("47300"))],
    )
    expected = Decimal("87300")

    page = client_of(bob).get(opportunity.get_absolute_url()).content.decode()
    assert "£87,300" in page

    header, row = read_csv(client_of(bob).get(reverse("register_export_csv")))
    assert (
        Decimal(dict(zip(header, row, strict=True))["Estimated cashable benefit (£)"]) == expected
    )

    bodies = board_bodies(board)
    dashboard = sum(row.estimated for row in benefits_by_body(bodies, benefit_sums(board)))
    assert dashboard == expected


@pytest.mark.django_db
def test_split_estimate_shares_a_total_to_the_penny(police, fire, council):
    split = services.split_estimate(Decimal("100000.00"), [fire, council], police)
    assert sum(split.values()) == Decimal("100000.00")
    assert split[police] == Decimal("33333.34")
    assert split[fire] == split[council] == Decimal("33333.33")


# --- the migration ------------------------------------------------------------------------------

BEFORE = [("opportunities", "0011_referral_packs_and_decision_notices")]
AFTER = [("opportunities", "0013_remove_opportunity_cashable_benefit")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_single_figure_into_per_body_estimates(board, police, fire, bob):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Old = apps.get_model("opportunities", "Opportunity")
        OldBenefit = apps.get_model("opportunities", "Benefit")
        common = {
            "board_id": board.pk,
            "summary": "…",
            "theme": "estates",
            "lead_organisation_id": police.pk,
            "proposed_by_id": bob.pk,
            "created_at": timezone.make_aware(timezone.datetime(2025, 6, 1, 10)),
        }
        shared = Old.objects.create(title="Shared", cashable_benefit=Decimal("100000.01"), **common)
        shared.participating_organisations.set([police.pk, fire.pk])
        assessed = Old.objects.create(title="Assessed", cashable_benefit=Decimal("5"), **common)
        OldBenefit.objects.create(
            opportunity_id=assessed.pk,
            organisation_id=fire.pk,
            kind="estimated",
            cashable=Decimal("70000"),
            period_end=date(2027, 3, 31),
            recorded_by_id=bob.pk,
        )
        Old.objects.create(title="Never estimated", cashable_benefit=None, **common)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        call_command("migrate", verbosity=0)

    def estimates(title):
        return {
            row.organisation.short_name: (row.cashable, row.period_end)
            for row in Benefit.objects.filter(opportunity__title=title, kind="estimated")
        }

    assert estimates("Shared") == {
        # The lead body (the police) takes the penny left over.
        police.short_name: (Decimal("50000.01"), date(2026, 6, 1)),
        fire.short_name: (Decimal("50000.00"), date(2026, 6, 1)),
    }
    assert estimates("Assessed") == {fire.short_name: (Decimal("70000.00"), date(2027, 3, 31))}
    assert estimates("Never estimated") == {}
    assert Organisation.objects.exists() and Board.objects.exists() and User.objects.exists()

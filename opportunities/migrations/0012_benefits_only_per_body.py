"""Estimated cashable benefits exist only per body. The proposal's single "£ a year" figure is
moved into per-body estimates, then dropped:

- an opportunity whose bodies already have estimates keeps them (they are the later, fuller
  assessment); its single figure was a first guess and stays only in the audit trail's
  "proposed" event;
- otherwise the figure becomes a first-year estimate shared equally between the lead body and
  the participating bodies, to the penny (the lead body takes the pennies left over), for the
  year from the proposal, recorded as the proposer's estimate at the time of the proposal.

The next migration drops the column. Going back restores each opportunity's figure as the total of its bodies' current estimates.
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import migrations


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def single_figure_to_estimates(apps, schema_editor):
    db = schema_editor.connection.alias
    Opportunity = apps.get_model("opportunities", "Opportunity")
    Benefit = apps.get_model("opportunities", "Benefit")
    Organisation = apps.get_model("boards", "Organisation")
    estimated = set(
        Benefit.objects.using(db).filter(kind="estimated").values_list("opportunity_id", flat=True)
    )
    names = dict(Organisation.objects.using(db).values_list("pk", "name"))
    through = Opportunity.participating_organisations.through
    rows = []
    figures = (
        Opportunity.objects.using(db)
        .filter(cashable_benefit__isnull=False)
        .exclude(pk__in=estimated)
        .values_list("pk", "cashable_benefit", "lead_organisation_id", "proposed_by_id", "created_at")
    )
    for pk, total, lead, proposer, created_at in figures.iterator():
        bodies = {lead, *through.objects.using(db).filter(opportunity_id=pk).values_list(
            "organisation_id", flat=True
        )}
        ordered = sorted(bodies, key=lambda body: names.get(body, ""))
        share = (total / len(ordered)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        amounts = dict.fromkeys(ordered, share)
        amounts[lead] += total - share * len(ordered)
        for body, amount in amounts.items():
            rows.append(
                Benefit(
                    opportunity_id=pk,
                    organisation_id=body,
                    kind="estimated",
                    cashable=amount,
                    period_end=_a_year_after(created_at.date()),
                    recorded_by_id=proposer,
                    recorded_at=created_at,
                )
            )
        if len(rows) >= 1000:
            Benefit.objects.using(db).bulk_create(rows)
            rows = []
    Benefit.objects.using(db).bulk_create(rows)


def estimates_to_single_figure(apps, schema_editor):
    db = schema_editor.connection.alias
    Opportunity = apps.get_model("opportunities", "Opportunity")
    Benefit = apps.get_model("opportunities", "Benefit")
    latest: dict[tuple[int, int], tuple] = {}
    for row in (
        Benefit.objects.using(db)
        .filter(kind="estimated")
        .values_list("opportunity_id", "organisation_id", "recorded_at", "pk", "cashable")
        .iterator()
    ):
        key = row[:2]
        if key not in latest or row[2:4] > latest[key][2:4]:
            latest[key] = row
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (opportunity_id, _body), row in latest.items():
        totals[opportunity_id] += row[4]
    for opportunity_id, total in totals.items():
        Opportunity.objects.using(db).filter(pk=opportunity_id).update(cashable_benefit=total)


class Migration(migrations.Migration):
    # The column is dropped by the next migration: on PostgreSQL a table cannot be altered in
    # the transaction that wrote rows referring to it.
    dependencies = [
        ("boards", "0001_initial"),
        ("opportunities", "0011_referral_packs_and_decision_notices"),
    ]

    operations = [
        migrations.RunPython(single_figure_to_estimates, estimates_to_single_figure),
    ]

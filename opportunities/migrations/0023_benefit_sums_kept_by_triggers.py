"""PostgreSQL adds up the cashable benefits of each board as they are written
(``BenefitSum``), so the dashboard reads a few dozen rows however many benefits there are.

On each benefit it keeps the opportunity's board (``board_id``) and, for an estimate, whether
it is its body's latest for the opportunity (``latest``) and how much it moved that body's
expected total (``moved``: its amount less the previous estimate's, oldest first by
``recorded_at`` then id, as ``Benefit.objects.counted()`` orders them). Triggers keep them,
whatever writes (the portal, the admin, a bulk ``COPY``):

- ``benefit_board`` (before a row is written): its board, its opportunity's;
- ``benefit_chains`` (after): any change to an estimate (added, its amount, time, body,
  opportunity or kind changed, removed) works its chain's ``latest`` and ``moved`` out again,
  and its old chain's when it left one;
- ``benefit_sums`` (after): every row written takes its old part out of the sums and puts its
  new part in, so each line of ``BenefitSum`` is always what its benefits add up to;
- ``benefits_board`` (after an opportunity moves to another board): its benefits follow it.

The estimates' moves are put in the quarter they were made in, in the portal's time zone
(``settings.TIME_ZONE``, written into the function as this migration runs). Rows already there
are worked out here.
"""

from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ZONE = settings.TIME_ZONE


def _create() -> list[str]:
    zone = ZoneInfo(ZONE).key.replace("'", "''")  # a time zone's name, or ZoneInfo refuses
    return [statement.replace("PORTAL_ZONE", zone) for statement in CREATE]


CREATE = [
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_chain(opportunity bigint, body bigint)
        RETURNS void AS $$
            UPDATE opportunities_benefit benefit
            SET latest = chain.latest, moved = chain.moved
            FROM (
                SELECT id,
                       LEAD(id) OVER ordered IS NULL AS latest,
                       cashable - COALESCE(LAG(cashable) OVER ordered, 0) AS moved
                FROM opportunities_benefit
                WHERE opportunity_id = opportunity AND organisation_id = body
                  AND kind = 'estimated'
                WINDOW ordered AS (ORDER BY recorded_at, id)
            ) chain
            WHERE benefit.id = chain.id
              AND (benefit.latest IS DISTINCT FROM chain.latest
                   OR benefit.moved IS DISTINCT FROM chain.moved)
        $$ LANGUAGE sql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_sum_add(
            sign integer, benefit opportunities_benefit
        ) RETURNS void AS $$
        BEGIN
            IF benefit.board_id IS NULL THEN
                RETURN;
            END IF;
            IF benefit.kind = 'realised' OR (benefit.kind = 'estimated' AND benefit.latest) THEN
                INSERT INTO opportunities_benefitsum AS line
                    (board_id, part, organisation_id, quarter, amount, rows)
                VALUES (
                    benefit.board_id,
                    CASE WHEN benefit.kind = 'realised' THEN 'realised' ELSE 'latest' END,
                    benefit.organisation_id,
                    date_trunc('quarter', benefit.period_end::timestamp)::date,
                    sign * benefit.cashable,
                    sign
                )
                ON CONFLICT (board_id, part, organisation_id, quarter) DO UPDATE
                SET amount = line.amount + EXCLUDED.amount, rows = line.rows + EXCLUDED.rows;
            END IF;
            IF benefit.kind = 'estimated' AND benefit.moved IS NOT NULL THEN
                INSERT INTO opportunities_benefitsum AS line
                    (board_id, part, organisation_id, quarter, amount, rows)
                VALUES (
                    benefit.board_id,
                    'moved',
                    benefit.organisation_id,
                    date_trunc('quarter', benefit.recorded_at AT TIME ZONE 'PORTAL_ZONE')::date,
                    sign * benefit.moved,
                    sign
                )
                ON CONFLICT (board_id, part, organisation_id, quarter) DO UPDATE
                SET amount = line.amount + EXCLUDED.amount, rows = line.rows + EXCLUDED.rows;
            END IF;
        END;
        $$ LANGUAGE plpgsql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_board() RETURNS trigger AS $$
        BEGIN
            NEW.board_id := (
                SELECT board_id FROM opportunities_opportunity WHERE id = NEW.opportunity_id
            );
            IF NEW.kind <> 'estimated' THEN
                NEW.latest := NULL;
                NEW.moved := NULL;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_chains() RETURNS trigger AS $$
        BEGIN
            IF TG_OP <> 'INSERT' AND OLD.kind = 'estimated' THEN
                PERFORM opportunities_benefit_chain(OLD.opportunity_id, OLD.organisation_id);
            END IF;
            IF TG_OP <> 'DELETE' AND NEW.kind = 'estimated' THEN
                PERFORM opportunities_benefit_chain(NEW.opportunity_id, NEW.organisation_id);
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_sums() RETURNS trigger AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                PERFORM opportunities_benefit_sum_add(-1, OLD);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                PERFORM opportunities_benefit_sum_add(1, NEW);
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_benefit_sums_emptied() RETURNS trigger AS $$
        BEGIN
            DELETE FROM opportunities_benefitsum;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
    """
        CREATE OR REPLACE FUNCTION opportunities_opportunity_benefits_board() RETURNS trigger AS $$
        BEGIN
            UPDATE opportunities_benefit SET board_id = NEW.board_id
            WHERE opportunity_id = NEW.id AND board_id IS DISTINCT FROM NEW.board_id;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
    # The rows already there: boards, chains, then the sums.
    """
        UPDATE opportunities_benefit benefit SET board_id = opportunity.board_id
        FROM opportunities_opportunity opportunity WHERE opportunity.id = benefit.opportunity_id
        """,
    """
        UPDATE opportunities_benefit benefit
        SET latest = chain.latest, moved = chain.moved
        FROM (
            SELECT id,
                   LEAD(id) OVER ordered IS NULL AS latest,
                   cashable - COALESCE(LAG(cashable) OVER ordered, 0) AS moved
            FROM opportunities_benefit
            WHERE kind = 'estimated'
            WINDOW ordered AS (
                PARTITION BY opportunity_id, organisation_id ORDER BY recorded_at, id
            )
        ) chain
        WHERE benefit.id = chain.id
        """,
    """
        INSERT INTO opportunities_benefitsum
            (board_id, part, organisation_id, quarter, amount, rows)
        SELECT board_id, part, organisation_id, quarter, SUM(amount), COUNT(*)
        FROM (
            SELECT board_id,
                   CASE WHEN kind = 'realised' THEN 'realised' ELSE 'latest' END AS part,
                   organisation_id,
                   date_trunc('quarter', period_end::timestamp)::date AS quarter,
                   cashable AS amount
            FROM opportunities_benefit
            WHERE board_id IS NOT NULL AND (kind = 'realised' OR (kind = 'estimated' AND latest))
            UNION ALL
            SELECT board_id, 'moved', organisation_id,
                   date_trunc('quarter', recorded_at AT TIME ZONE 'PORTAL_ZONE')::date, moved
            FROM opportunities_benefit
            WHERE board_id IS NOT NULL AND kind = 'estimated' AND moved IS NOT NULL
        ) part
        GROUP BY board_id, part, organisation_id, quarter
        """,
    "DROP TRIGGER IF EXISTS benefit_board ON opportunities_benefit",
    "CREATE TRIGGER benefit_board BEFORE INSERT OR UPDATE ON opportunities_benefit "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_benefit_board()",
    "DROP TRIGGER IF EXISTS benefit_chains ON opportunities_benefit",
    # Only a change to what a chain is made of: the chains' own updates (latest, moved)
    # do not set it off again.
    "CREATE TRIGGER benefit_chains "
    "AFTER INSERT OR DELETE OR UPDATE OF opportunity_id, organisation_id, kind, cashable, "
    "recorded_at ON opportunities_benefit "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_benefit_chains()",
    "DROP TRIGGER IF EXISTS benefit_sums ON opportunities_benefit",
    "CREATE TRIGGER benefit_sums AFTER INSERT OR UPDATE OR DELETE ON opportunities_benefit "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_benefit_sums()",
    "DROP TRIGGER IF EXISTS benefit_sums_emptied ON opportunities_benefit",
    "CREATE TRIGGER benefit_sums_emptied AFTER TRUNCATE ON opportunities_benefit "
    "FOR EACH STATEMENT EXECUTE FUNCTION opportunities_benefit_sums_emptied()",
    "DROP TRIGGER IF EXISTS benefits_board ON opportunities_opportunity",
    "CREATE TRIGGER benefits_board AFTER UPDATE OF board_id ON opportunities_opportunity "
    "FOR EACH ROW WHEN (OLD.board_id IS DISTINCT FROM NEW.board_id) "
    "EXECUTE FUNCTION opportunities_opportunity_benefits_board()",
    # The data versions' triggers, deferred to the commit, fire now (a later migration may
    # build an index on these tables, which PostgreSQL refuses with trigger events pending).
    "SET CONSTRAINTS ALL IMMEDIATE",
]


DROP = [
    "DROP TRIGGER IF EXISTS benefits_board ON opportunities_opportunity",
    "DROP TRIGGER IF EXISTS benefit_sums_emptied ON opportunities_benefit",
    "DROP TRIGGER IF EXISTS benefit_sums ON opportunities_benefit",
    "DROP TRIGGER IF EXISTS benefit_chains ON opportunities_benefit",
    "DROP TRIGGER IF EXISTS benefit_board ON opportunities_benefit",
    "DROP FUNCTION IF EXISTS opportunities_opportunity_benefits_board()",
    "DROP FUNCTION IF EXISTS opportunities_benefit_sums_emptied()",
    "DROP FUNCTION IF EXISTS opportunities_benefit_sums()",
    "DROP FUNCTION IF EXISTS opportunities_benefit_chains()",
    "DROP FUNCTION IF EXISTS opportunities_benefit_board()",
    "DROP FUNCTION IF EXISTS opportunities_benefit_sum_add(integer, opportunities_benefit)",
    "DROP FUNCTION IF EXISTS opportunities_benefit_chain(bigint, bigint)",
]


def _create_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _create():
            schema_editor.execute(statement)


def _drop_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0016_merge_single_sign_on_and_descriptor_sets"),
        ("opportunities", "0022_register_version_at_commit_and_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="benefit",
            name="board",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="boards.board",
            ),
        ),
        migrations.AddField(
            model_name="benefit",
            name="latest",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="benefit",
            name="moved",
            field=models.DecimalField(decimal_places=2, editable=False, max_digits=12, null=True),
        ),
        migrations.CreateModel(
            name="BenefitSum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "part",
                    models.CharField(
                        choices=[
                            ("realised", "Realised"),
                            ("latest", "Latest estimates"),
                            ("moved", "Estimates' moves"),
                        ],
                        max_length=10,
                    ),
                ),
                ("quarter", models.DateField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=16)),
                ("rows", models.IntegerField()),
                (
                    "board",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="boards.board",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="boards.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("board", "part", "organisation", "quarter"), name="benefit_sum_line"
                    )
                ],
            },
        ),
        migrations.RunPython(_create_on_postgresql, _drop_on_postgresql),
    ]

"""PostgreSQL counts each board's sent referrals as they are written (``ReferralSum``), so the
dashboard's decisions per body read a few hundred rows however many referrals there are.

On each referral it keeps the opportunity's board (``board_id``) and whether its recommendation
is the current one (``current``: not superseded). Triggers keep them, whatever writes:

- ``referral_board`` (before a referral is written): its board and ``current``, from its
  recommendation and opportunity;
- ``referrals_current`` (after a recommendation is superseded, or moved to another
  opportunity): its referrals are worked out again;
- ``benefits_board`` (migration 0023's, after an opportunity moves to another board): its
  referrals follow it, as its benefits do;
- ``referral_sums`` (after): every referral written takes its old part out of the counts and
  puts its new part in. A referral counts once sent; a line is keyed by board, body, status,
  ``current``, whether a decision is recorded, and, while awaiting a decision (pending or
  deferred), its due date and whether it is paused, so the dashboard can tell which are late
  on any day.

Rows already there are worked out here.
"""

import django.db.models.deletion
from django.db import migrations, models

DECIDABLE = "('pending', 'deferred')"  # Referral.DECIDABLE as this migration was written

CREATE = [
    """
    CREATE OR REPLACE FUNCTION opportunities_referral_sum_add(
        sign integer, referral opportunities_referral
    ) RETURNS void AS $$
    DECLARE
        awaiting boolean := referral.status IN DECIDABLE_STATUSES;
    BEGIN
        IF referral.board_id IS NULL OR referral.sent_at IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO opportunities_referralsum AS line
            (board_id, organisation_id, status, current, decided, due_on, paused, rows, taken)
        VALUES (
            referral.board_id,
            referral.organisation_id,
            referral.status,
            referral.current,
            referral.decided_at IS NOT NULL,
            CASE WHEN awaiting THEN referral.due_on END,
            awaiting AND referral.paused_on IS NOT NULL,
            sign,
            sign * COALESCE(referral.decided_at - referral.sent_at, interval '0')
        )
        ON CONFLICT (board_id, organisation_id, status, current, decided, due_on, paused)
        DO UPDATE SET rows = line.rows + EXCLUDED.rows, taken = line.taken + EXCLUDED.taken;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION opportunities_referral_board() RETURNS trigger AS $$
    BEGIN
        SELECT opportunity.board_id, recommendation.superseded_at IS NULL
        INTO NEW.board_id, NEW.current
        FROM opportunities_recommendation recommendation
        JOIN opportunities_opportunity opportunity
            ON opportunity.id = recommendation.opportunity_id
        WHERE recommendation.id = NEW.recommendation_id;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION opportunities_referral_sums() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM opportunities_referral_sum_add(-1, OLD);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM opportunities_referral_sum_add(1, NEW);
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION opportunities_referral_sums_emptied() RETURNS trigger AS $$
    BEGIN
        DELETE FROM opportunities_referralsum;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    # The referrals' own trigger (referral_board) works them out again as they are touched.
    """
    CREATE OR REPLACE FUNCTION opportunities_recommendation_referrals() RETURNS trigger AS $$
    BEGIN
        UPDATE opportunities_referral SET current = NULL WHERE recommendation_id = NEW.id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION opportunities_opportunity_benefits_board() RETURNS trigger AS $$
    BEGIN
        UPDATE opportunities_benefit SET board_id = NEW.board_id
        WHERE opportunity_id = NEW.id AND board_id IS DISTINCT FROM NEW.board_id;
        UPDATE opportunities_referral referral SET board_id = NEW.board_id
        FROM opportunities_recommendation recommendation
        WHERE recommendation.opportunity_id = NEW.id
          AND referral.recommendation_id = recommendation.id
          AND referral.board_id IS DISTINCT FROM NEW.board_id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    # The rows already there: boards and ``current``, then the counts.
    """
    UPDATE opportunities_referral referral
    SET board_id = opportunity.board_id, current = recommendation.superseded_at IS NULL
    FROM opportunities_recommendation recommendation
    JOIN opportunities_opportunity opportunity ON opportunity.id = recommendation.opportunity_id
    WHERE recommendation.id = referral.recommendation_id
    """,
    """
    CREATE UNIQUE INDEX referral_sum_line ON opportunities_referralsum
        (board_id, organisation_id, status, current, decided, due_on, paused) NULLS NOT DISTINCT
    """,
    """
    INSERT INTO opportunities_referralsum
        (board_id, organisation_id, status, current, decided, due_on, paused, rows, taken)
    SELECT board_id, organisation_id, status, current, decided_at IS NOT NULL,
           CASE WHEN status IN DECIDABLE_STATUSES THEN due_on END,
           status IN DECIDABLE_STATUSES AND paused_on IS NOT NULL,
           COUNT(*), COALESCE(SUM(decided_at - sent_at), interval '0')
    FROM opportunities_referral
    WHERE board_id IS NOT NULL AND sent_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    """,
    "DROP TRIGGER IF EXISTS referral_board ON opportunities_referral",
    "CREATE TRIGGER referral_board BEFORE INSERT OR UPDATE ON opportunities_referral "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_referral_board()",
    "DROP TRIGGER IF EXISTS referral_sums ON opportunities_referral",
    "CREATE TRIGGER referral_sums AFTER INSERT OR UPDATE OR DELETE ON opportunities_referral "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_referral_sums()",
    "DROP TRIGGER IF EXISTS referral_sums_emptied ON opportunities_referral",
    "CREATE TRIGGER referral_sums_emptied AFTER TRUNCATE ON opportunities_referral "
    "FOR EACH STATEMENT EXECUTE FUNCTION opportunities_referral_sums_emptied()",
    "DROP TRIGGER IF EXISTS referrals_current ON opportunities_recommendation",
    "CREATE TRIGGER referrals_current "
    "AFTER UPDATE OF superseded_at, opportunity_id ON opportunities_recommendation "
    "FOR EACH ROW WHEN (OLD.superseded_at IS DISTINCT FROM NEW.superseded_at "
    "OR OLD.opportunity_id IS DISTINCT FROM NEW.opportunity_id) "
    "EXECUTE FUNCTION opportunities_recommendation_referrals()",
    # The data versions' triggers, deferred to the commit, fire now (PostgreSQL builds no
    # index on a table with trigger events pending).
    "SET CONSTRAINTS ALL IMMEDIATE",
]
DROP = [
    "DROP TRIGGER IF EXISTS referrals_current ON opportunities_recommendation",
    "DROP TRIGGER IF EXISTS referral_sums_emptied ON opportunities_referral",
    "DROP TRIGGER IF EXISTS referral_sums ON opportunities_referral",
    "DROP TRIGGER IF EXISTS referral_board ON opportunities_referral",
    "DROP FUNCTION IF EXISTS opportunities_recommendation_referrals()",
    "DROP FUNCTION IF EXISTS opportunities_referral_sums_emptied()",
    "DROP FUNCTION IF EXISTS opportunities_referral_sums()",
    "DROP FUNCTION IF EXISTS opportunities_referral_board()",
    "DROP FUNCTION IF EXISTS opportunities_referral_sum_add(integer, opportunities_referral)",
    "DROP INDEX IF EXISTS referral_sum_line",
    # Migration 0023's: an opportunity's move takes its benefits alone.
    """
    CREATE OR REPLACE FUNCTION opportunities_opportunity_benefits_board() RETURNS trigger AS $$
    BEGIN
        UPDATE opportunities_benefit SET board_id = NEW.board_id
        WHERE opportunity_id = NEW.id AND board_id IS DISTINCT FROM NEW.board_id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement.replace("DECIDABLE_STATUSES", DECIDABLE))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0016_merge_single_sign_on_and_descriptor_sets"),
        ("opportunities", "0023_benefit_sums_kept_by_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
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
            model_name="referral",
            name="current",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.CreateModel(
            name="ReferralSum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting decision"),
                            ("approved", "Approved"),
                            ("approved_with_conditions", "Approved with conditions"),
                            ("declined", "Declined"),
                            ("deferred", "Deferred (more information requested)"),
                            ("superseded", "Superseded by a revised recommendation"),
                            ("withdrawn", "Closed: recommendation withdrawn"),
                            ("outcome_decided", "Closed: the outcome was already decided"),
                            ("opportunity_closed", "Closed: the opportunity was closed"),
                        ],
                        max_length=30,
                    ),
                ),
                ("current", models.BooleanField()),
                ("decided", models.BooleanField()),
                ("due_on", models.DateField(null=True)),
                ("paused", models.BooleanField()),
                ("rows", models.IntegerField()),
                ("taken", models.DurationField()),
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
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]

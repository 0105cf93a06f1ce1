"""The register's data version is moved once per transaction, as it commits.

Migration 0018 moved it by a statement trigger at each write: the version's one row was then
locked from a transaction's first write to the register's tables until its commit, so every
such transaction waited for every other, and two that had each locked a row the other wanted
(a meeting, say) deadlocked. The triggers are now deferred constraint triggers: they fire as the
transaction commits, once per commit whatever the number of rows written (the transaction's id
and the COMMIT's start are remembered for the transaction), and the row is locked only for the
moment of the commit. A TRUNCATE still moves it at once (constraint triggers are per row).
"""

from django.db import migrations

REGISTER = "register"
# As opportunities.versions.REGISTER_TABLES is when this migration was written.
REGISTER_TABLES = (
    "opportunities_opportunity",
    "opportunities_opportunity_participating_organisations",
    "opportunities_recommendation",
    "opportunities_referral",
    "opportunities_benefit",
    "opportunities_review",
    "opportunities_milestone",
    "meetings_agreedrecommendation",
    "boards_agendaitem",
    "boards_organisation",
    "boards_board",
    "boards_board_organisations",
)

# Named alike on every table (a trigger's name is its table's own), so that one name sets them
# all IMMEDIATE; the longest table names would not fit in a name with the table's in it.
TRIGGER = "register_version"
TRUNCATE_TRIGGER = "register_version_truncate"

AT_COMMIT = [
    *(f"DROP TRIGGER IF EXISTS {table}_register_version ON {table}" for table in REGISTER_TABLES),
    # One move per statement that runs the triggers: the COMMIT (or, where a transaction sets
    # them IMMEDIATE, as the test suite does, each statement that wrote).
    """
    CREATE OR REPLACE FUNCTION opportunities_bump_data_version_once() RETURNS trigger AS $$
    DECLARE
        moved_by text := txid_current()::text || '@' || statement_timestamp()::text;
        setting text := 'bluelight.data_version_moved_' || TG_ARGV[0];
    BEGIN
        IF current_setting(setting, true) IS DISTINCT FROM moved_by THEN
            UPDATE opportunities_dataversion
            SET version = nextval('opportunities_dataversion_seq')
            WHERE name = TG_ARGV[0];
            PERFORM set_config(setting, moved_by, true);
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE CONSTRAINT TRIGGER {TRIGGER} "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED "
        f"FOR EACH ROW EXECUTE FUNCTION opportunities_bump_data_version_once('{REGISTER}')"
        for table in REGISTER_TABLES
    ),
    *(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} "
        f"AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION opportunities_bump_data_version('{REGISTER}')"
        for table in REGISTER_TABLES
    ),
]
AT_EACH_STATEMENT = [
    *(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}" for table in REGISTER_TABLES),
    *(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}" for table in REGISTER_TABLES),
    "DROP FUNCTION IF EXISTS opportunities_bump_data_version_once()",
    *(
        f"CREATE TRIGGER {table}_register_version "
        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION opportunities_bump_data_version('{REGISTER}')"
        for table in REGISTER_TABLES
    ),
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0020_merge_data_versions"),
        ("meetings", "0017_merge_invitation_index"),
        ("boards", "0016_merge_single_sign_on_and_descriptor_sets"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(AT_COMMIT), _on_postgresql(AT_EACH_STATEMENT)),
    ]

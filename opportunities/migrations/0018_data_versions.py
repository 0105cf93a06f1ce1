from django.db import migrations, models

# Statement triggers move the register's version on any write to the tables the cached pages are
# drawn from (see opportunities/versions.py). The new value comes from a sequence, so it never
# repeats, even after a rolled-back write; the row itself changes only when the writer commits.
REGISTER = "register"
# As opportunities.versions.REGISTER_TABLES was when this migration was written.
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
CREATE = [
    "CREATE SEQUENCE IF NOT EXISTS opportunities_dataversion_seq",
    f"INSERT INTO opportunities_dataversion (name, version) "
    f"VALUES ('{REGISTER}', nextval('opportunities_dataversion_seq'))",
    """
    CREATE OR REPLACE FUNCTION opportunities_bump_data_version() RETURNS trigger AS $$
    BEGIN
        UPDATE opportunities_dataversion
        SET version = nextval('opportunities_dataversion_seq')
        WHERE name = TG_ARGV[0];
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_register_version "
        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION opportunities_bump_data_version('{REGISTER}')"
        for table in REGISTER_TABLES
    ),
]
DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_register_version ON {table}" for table in REGISTER_TABLES),
    "DROP FUNCTION IF EXISTS opportunities_bump_data_version()",
    "DROP SEQUENCE IF EXISTS opportunities_dataversion_seq",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0017_merge_delivery_milestones"),
        ("meetings", "0014_the_substitute_named_by_the_secretariat"),
        ("boards", "0014_personal_api_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]

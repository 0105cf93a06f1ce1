from django.db import migrations

# The register's free-text filter is a case-insensitive substring match (UPPER(...) LIKE ...);
# trigram indexes let PostgreSQL answer it without reading every row. pg_trgm is a trusted
# extension, so the database's owner may create it.
CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS opportunity_title_trgm
    ON opportunities_opportunity USING gin (UPPER(title::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS opportunity_summary_trgm
    ON opportunities_opportunity USING gin (UPPER(summary::text) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS opportunity_title_trgm;
DROP INDEX IF EXISTS opportunity_summary_trgm;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0002_opportunity_recent_index")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

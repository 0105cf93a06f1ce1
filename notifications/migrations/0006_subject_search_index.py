from django.db import migrations

# The message log's search is a case-insensitive substring match on the subject; a trigram index
# answers it without reading every message. pg_trgm is a trusted extension.
CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS notification_subject_trgm
    ON notifications_notification USING gin (UPPER(subject::text) gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS notification_subject_trgm;"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_unread_index")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

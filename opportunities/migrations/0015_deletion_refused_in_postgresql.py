"""PostgreSQL refuses to delete a paper sent with a recommendation (part of its referral pack),
as ``RecommendationPaper.deletion_refusal()`` does; a paper not yet sent may go. The register's
other record tables have no deletable row: ``manage.py database_roles`` takes DELETE on them
away from the portal's role.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION opportunities_recommendationpaper_keep_the_record()
RETURNS trigger AS $$
BEGIN
    IF (SELECT sent_at FROM opportunities_recommendation WHERE id = OLD.recommendation_id)
            IS NOT NULL THEN
        RAISE EXCEPTION 'not deleted: a paper sent with a recommendation is part of its pack'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS keep_the_record ON opportunities_recommendationpaper;
CREATE TRIGGER keep_the_record BEFORE DELETE ON opportunities_recommendationpaper
    FOR EACH ROW EXECUTE FUNCTION opportunities_recommendationpaper_keep_the_record();
"""
DROP = """
DROP TRIGGER IF EXISTS keep_the_record ON opportunities_recommendationpaper;
DROP FUNCTION IF EXISTS opportunities_recommendationpaper_keep_the_record();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0014_constraint_messages")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

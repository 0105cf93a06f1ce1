"""PostgreSQL itself refuses to delete a meeting's rows that are part of its record, whoever
asks (the portal's role, a script, the owner): the same rules as the models' own
``deletion_refusal()`` (core/deletion.py), as a BEFORE DELETE trigger on each table whose draft
rows may still go. Tables with no deletable row at all (resolutions, votes) get no trigger:
``manage.py database_roles`` takes DELETE on them away from the portal's role instead.
"""

from django.db import migrations

MEETING_STATUS = "(SELECT status FROM boards_meeting WHERE id = OLD.meeting_id)"
PUBLISHED = "('papers_published', 'held', 'minutes_drafted', 'minutes_approved')"

# table: (the row is part of the record when..., what the refusal says)
RULES = {
    "boards_meeting": (
        "OLD.status <> 'draft'",
        "a meeting that has left draft is part of the record",
    ),
    "boards_meetinginvitation": (
        f"{MEETING_STATUS} <> 'draft'",
        "invitations, replies and attendance are part of the meeting's record",
    ),
    "boards_declarationofinterest": (
        f"{MEETING_STATUS} <> 'draft'",
        "a declaration of interest is part of the meeting's record",
    ),
    "boards_action": (
        f"{MEETING_STATUS} <> 'draft'",
        "an action is part of the meeting's record",
    ),
    "boards_agendaitem": (
        f"{MEETING_STATUS} NOT IN ('draft', 'scheduled')",
        "the agenda is fixed once the papers are published",
    ),
    "boards_paper": (
        f"{MEETING_STATUS} IN {PUBLISHED}",
        "a published paper is part of the record",
    ),
    "boards_paperversion": (
        "(SELECT m.status FROM boards_paper p JOIN boards_meeting m ON m.id = p.meeting_id "
        f"WHERE p.id = OLD.paper_id) IN {PUBLISHED}",
        "a published paper is part of the record",
    ),
    "meetings_exemptitemadmission": (
        "(SELECT m.status FROM boards_agendaitem i JOIN boards_meeting m "
        "ON m.id = i.meeting_id WHERE i.id = OLD.agenda_item_id) <> 'draft'",
        "an admission to an exempt item is part of the meeting's record",
    ),
    "meetings_registeredinterest": (
        "OLD.reviewed_at IS NOT NULL",
        "a reviewed entry is part of the register of interests",
    ),
}


def create(table: str, refused_when: str, message: str) -> str:
    message = message.replace("'", "''")
    return f"""
CREATE OR REPLACE FUNCTION {table}_keep_the_record() RETURNS trigger AS $$
BEGIN
    IF {refused_when} THEN
        RAISE EXCEPTION 'not deleted: {message}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS keep_the_record ON {table};
CREATE TRIGGER keep_the_record BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_keep_the_record();
"""


def drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS keep_the_record ON {table};
DROP FUNCTION IF EXISTS {table}_keep_the_record();
"""


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0010_admissions_withdrawn_not_deleted")]

    operations = [
        migrations.RunPython(
            _on_postgresql([create(table, *rule) for table, rule in RULES.items()]),
            _on_postgresql([drop(table) for table in RULES]),
        )
    ]

"""Each audit event carries the hash of the one before it, computed by PostgreSQL as the row
is inserted, so an event changed or removed later (by someone who got past the append-only
trigger) breaks the chain where it was."""

from django.db import migrations, models

# The text an event's hash is taken over: every column but the hash itself, in a fixed order and
# format (jsonb prints its keys in a canonical order). verify_audit_chain compares with it.
CANONICAL = """
CREATE OR REPLACE FUNCTION audit_event_canonical(e audit_auditevent) RETURNS text AS $$
    SELECT concat_ws(
        '|',
        e.chain_position,
        e.id,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.actor_id::text, '-'),
        coalesce(e.subject_type_id::text, '-'),
        coalesce(e.subject_id::text, '-'),
        e.verb,
        e.summary,
        e.before::text,
        e.after::text,
        e.username,
        coalesce(host(e.address), '-'),
        e.user_agent,
        e.path,
        e.prev_hash
    )
$$ LANGUAGE sql STABLE;
"""

# Each new event is chained to the last one under a transaction-level advisory lock, so events
# inserted at the same moment by different requests still form one unbroken chain (the lock is
# held until the inserting transaction ends, so the next event sees this one).
CHAIN = """
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger AS $$
DECLARE
    last_position bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_auditevent chain'));
    SELECT chain_position, hash INTO last_position, last_hash
        FROM audit_auditevent
        WHERE chain_position IS NOT NULL
        ORDER BY chain_position DESC
        LIMIT 1;
    NEW.chain_position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.hash := encode(sha256(convert_to(audit_event_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_chain
    BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
"""

# Events recorded before the chain existed are chained in the order they were inserted.
BACKFILL = """
ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only;
DO $$
DECLARE
    event audit_auditevent;
    position bigint := 0;
    previous text := '';
BEGIN
    FOR event IN SELECT * FROM audit_auditevent ORDER BY id LOOP
        position := position + 1;
        event.chain_position := position;
        event.prev_hash := previous;
        event.hash := encode(sha256(convert_to(audit_event_canonical(event), 'UTF8')), 'hex');
        UPDATE audit_auditevent
            SET chain_position = event.chain_position, prev_hash = event.prev_hash,
                hash = event.hash
            WHERE id = event.id;
        previous := event.hash;
    END LOOP;
END;
$$;
ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only;
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_chain ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_chain();
DROP FUNCTION IF EXISTS audit_event_canonical(audit_auditevent);
"""


def _on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_security_events")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_position",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(
            _on_postgresql(CANONICAL, BACKFILL, CHAIN), _on_postgresql(DROP)
        ),
    ]

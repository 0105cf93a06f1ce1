"""The two database roles: an owner that migrations run as, and the portal's own role, which
owns nothing, may only add to and read the audit trail, and may not delete the rows that are
part of the record.

Owning a table is what lets a role get past the audit trail's append-only trigger (``ALTER
TABLE … DISABLE TRIGGER``, ``TRUNCATE``), so the web and worker processes never connect as its
owner. Run by an administrator (a role allowed to create roles) with ``manage.py
database_roles``; the statements are idempotent.

The record tables (those of the models core/deletion.py guards) lose DELETE for the portal,
except the ones whose draft rows may still be deleted: those keep DELETE, and their
``keep_the_record`` trigger refuses every row that has left draft, whoever asks.
"""

from collections.abc import Iterable

from psycopg import sql

from core.deletion import ROW_RULE_TRIGGER

AUDIT_TABLE = "audit_auditevent"


def role_statements(
    *,
    database: str,
    owner: str,
    portal: str,
    owner_password: str | None,
    portal_password: str | None,
    record_tables: Iterable[str] = (),
) -> list[sql.Composable]:
    """The statements that create (or update) both roles and give each what it may do; on
    each of ``record_tables``, DELETE for the portal only where a trigger keeps the record."""
    o, p, db = sql.Identifier(owner), sql.Identifier(portal), sql.Identifier(database)
    statements = [
        _create_role(owner, owner_password),
        _create_role(portal, portal_password),
        # The owner owns the database (so migrations may add trusted extensions), the schema
        # and everything in it; the portal connects and uses the schema, creating nothing.
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, o),
        sql.SQL("ALTER SCHEMA public OWNER TO {}").format(o),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL(
            "DO $$ DECLARE item record; BEGIN "
            "FOR item IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') "
            # A table's own sequences (its id column's) follow the table.
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid "
            "AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) LOOP "
            "EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, {owner}); END LOOP; "
            "FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.objid = p.oid AND d.deptype = 'e') LOOP "
            "EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, {owner}); END LOOP; "
            "END $$"
        ).format(owner=sql.Literal(owner)),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, p),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(p),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            p
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(p),
        # Tables the owner's migrations create later get the same grants.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, p),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(o, p),
    ]
    statements.append(
        sql.SQL(
            "DO $$ BEGIN IF to_regclass({table}) IS NOT NULL THEN "
            "EXECUTE format('REVOKE ALL ON %I FROM %I', {table}, {portal}); "
            "EXECUTE format('GRANT SELECT, INSERT ON %I TO %I', {table}, {portal}); "
            "END IF; END $$"
        ).format(table=sql.Literal(AUDIT_TABLE), portal=sql.Literal(portal))
    )
    statements.extend(_record_table_statement(table, portal) for table in record_tables)
    return statements


def _record_table_statement(table: str, portal: str) -> sql.Composed:
    """No DELETE on a record table for the portal, unless the table's trigger refuses the
    deletion of each row that left draft (then the drafts may still go)."""
    return sql.SQL(
        "DO $$ BEGIN IF to_regclass({table}) IS NOT NULL THEN "
        "IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass({table}) "
        "AND tgname = {trigger} AND tgenabled <> 'D') THEN "
        "EXECUTE format('GRANT DELETE ON %I TO %I', {table}, {portal}); "
        "ELSE EXECUTE format('REVOKE DELETE ON %I FROM %I', {table}, {portal}); "
        "END IF; END IF; END $$"
    ).format(
        table=sql.Literal(table),
        trigger=sql.Literal(ROW_RULE_TRIGGER),
        portal=sql.Literal(portal),
    )


def _create_role(name: str, password: str | None) -> sql.Composed:
    """CREATE ROLE … LOGIN (or ALTER it if it exists): no superuser, no role creation, no
    replication, and so no way to switch off triggers or replication roles."""
    options = sql.SQL(
        "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        + (" PASSWORD %L" if password else "")
    )
    template = (
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal}) THEN "
        "EXECUTE format('ALTER ROLE %I {options}', {literal}{password}); "
        "ELSE EXECUTE format('CREATE ROLE %I {options}', {literal}{password}); END IF; END $$"
    )
    return sql.SQL(template).format(
        literal=sql.Literal(name),
        options=options,
        password=sql.SQL(", {}").format(sql.Literal(password)) if password else sql.SQL(""),
    )

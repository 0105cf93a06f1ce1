"""The portal's own database role owns nothing and may only insert into and read the audit
trail: UPDATE, DELETE, TRUNCATE and switching the trigger off are refused to it."""

import secrets

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EVENT = (
    "INSERT INTO audit_auditevent (at, verb, summary, before, after, username, user_agent, "
    "path, prev_hash, hash) VALUES (now(), 'test', 'Inserted by the portal', '{}', '{}', '', "
    "'', '', '', '')"
)


@pytest.fixture
def roles(monkeypatch, board):
    suffix = secrets.token_hex(4)
    owner, portal = f"bl_test_owner_{suffix}", f"bl_test_portal_{suffix}"
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("PORTAL_DATABASE_PASSWORD", password)
    monkeypatch.setenv("OWNER_DATABASE_PASSWORD", secrets.token_urlsafe(16))
    call_command("database_roles", owner=owner, portal=portal)
    yield owner, portal, password
    with connection.cursor() as cursor:
        cursor.execute(f'REASSIGN OWNED BY "{owner}" TO CURRENT_USER')
        for role in (owner, portal):
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def as_portal(roles):
    _, portal, password = roles
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=portal,
        password=password,
        autocommit=True,
    ) as portal_connection:
        yield portal_connection


def test_the_portal_adds_to_and_reads_the_trail_and_works_on_other_tables(as_portal):
    as_portal.execute(NEW_EVENT)
    count = as_portal.execute(
        "SELECT count(*) FROM audit_auditevent WHERE summary = 'Inserted by the portal'"
    ).fetchone()[0]
    assert count == 1
    as_portal.execute("UPDATE boards_board SET name = name")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET summary = 'Rewritten'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        "SET session_replication_role = replica",
        "CREATE TABLE portal_made_this (id int)",
    ],
    ids=["update", "delete", "truncate", "disable-trigger", "replica-role", "create"],
)
def test_the_portal_cannot_change_or_erase_the_trail(as_portal, sql):
    as_portal.execute(NEW_EVENT)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_portal.execute(sql)
    assert as_portal.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] >= 1


def test_the_portal_owns_nothing(roles):
    owner, portal, _ = roles
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s",
            [portal],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE c.relname = 'audit_auditevent'"
        )
        assert cursor.fetchone()[0] == owner


def test_printed_statements_never_show_a_password(monkeypatch, capsys, db):
    monkeypatch.setenv("PORTAL_DATABASE_PASSWORD", "a-very-secret-password")
    call_command("database_roles", owner="o", portal="p", print=True)
    out = capsys.readouterr().out
    assert "a-very-secret-password" not in out
    assert "GRANT SELECT, INSERT ON" in out and "REVOKE ALL ON" in out


# --- the rows that are part of the record -------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        "meetings_resolution",
        "meetings_vote",
        "opportunities_opportunity",
        "opportunities_recommendation",
        "opportunities_referral",
        "opportunities_referralevent",
        "opportunities_review",
        "opportunities_benefit",
        "notifications_notification",
    ],
)
def test_the_portal_may_not_delete_from_a_table_of_the_record(as_portal, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_portal.execute(f"DELETE FROM {table}")


def test_every_guarded_table_refuses_the_portal_its_records(roles):
    """Each table core/deletion.py guards either gives the portal no DELETE at all, or keeps
    DELETE for its drafts behind the trigger that refuses every row that left draft."""
    from core.deletion import ROW_RULE_TRIGGER, record_tables

    _, portal, _ = roles
    tables = record_tables()
    assert {"boards_meeting", "meetings_resolution", "meetings_exemptitemadmission"} <= set(tables)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT has_table_privilege(%s, %s, 'DELETE'), EXISTS (SELECT 1 FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND tgname = %s)",
                [portal, table, table, ROW_RULE_TRIGGER],
            )
            may_delete, has_rule = cursor.fetchone()
            assert may_delete == has_rule, table


def test_the_portal_deletes_a_draft_meeting_but_not_one_that_left_draft(as_portal, held, alice):
    from tests.factories import AgendaItemFactory, MeetingFactory

    draft = MeetingFactory(board=held.board, created_by=alice)
    AgendaItemFactory(meeting=draft)
    with pytest.raises(psycopg.errors.RestrictViolation, match="left draft"):
        as_portal.execute("DELETE FROM boards_meeting WHERE id = %s", [held.pk])
    with pytest.raises(psycopg.errors.RestrictViolation, match="attendance"):
        as_portal.execute("DELETE FROM boards_meetinginvitation WHERE meeting_id = %s", [held.pk])
    with pytest.raises(psycopg.errors.RestrictViolation, match="agenda is fixed"):
        as_portal.execute("DELETE FROM boards_agendaitem WHERE meeting_id = %s", [held.pk])
    as_portal.execute("DELETE FROM boards_agendaitem WHERE meeting_id = %s", [draft.pk])
    deleted = as_portal.execute("DELETE FROM boards_meeting WHERE id = %s", [draft.pk])
    assert deleted.rowcount == 1
    assert as_portal.execute(
        "SELECT count(*) FROM boards_meeting WHERE id = %s", [held.pk]
    ).fetchone() == (1,)


def test_postgresql_keeps_the_record_whoever_asks(held):
    """The trigger stands for the owner and the superuser too, not only for the portal."""
    from django.db import IntegrityError, transaction

    with (
        pytest.raises(IntegrityError, match="left draft"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM boards_meeting WHERE id = %s", [held.pk])
    assert type(held).objects.filter(pk=held.pk).exists()

"""The audit trail is hash-chained as PostgreSQL inserts each event, and verify_audit_chain
finds an event changed or removed behind the portal's back."""

import hashlib
import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from audit.services import audit_record


def record(subject, actor, n):
    return audit_record(subject=subject, actor=actor, verb="test", summary=f"Event {n}")


def without_append_only_trigger(sql, params=()):
    """What a database superuser could do: switch triggers off and edit history."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


@pytest.mark.django_db
def test_each_event_names_the_hash_of_the_one_before(board, alice):
    for n in range(3):
        record(board, alice, n)
    events = list(AuditEvent.objects.order_by("chain_position"))
    positions = [event.chain_position for event in events]
    assert positions == list(range(positions[0], positions[0] + 3))
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT audit_event_canonical(e) FROM audit_auditevent e WHERE id = %s", [events[1].pk]
        )
        canonical = cursor.fetchone()[0]
    assert hashlib.sha256(canonical.encode()).hexdigest() == events[1].hash
    assert "Event 1" in canonical


@pytest.mark.django_db
def test_the_check_passes_on_an_untouched_trail(board, alice, capsys):
    for n in range(3):
        record(board, alice, n)
    call_command("verify_audit_chain")
    assert "The audit chain holds" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_check_finds_a_changed_event(board, alice, capsys):
    events = [record(board, alice, n) for n in range(3)]
    without_append_only_trigger(
        "UPDATE audit_auditevent SET summary = 'Nothing happened' WHERE id = %s", [events[1].pk]
    )
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit_chain")
    assert f"Audit event {events[1].pk}" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_check_finds_a_removed_event(board, alice, capsys):
    events = [record(board, alice, n) for n in range(3)]
    without_append_only_trigger("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    errors = capsys.readouterr().err
    assert f"Audit event {events[2].pk}" in errors and "missing" in errors


@pytest.mark.django_db(transaction=True)
def test_events_inserted_at_the_same_time_form_one_chain(board, alice):
    def insert_some(n):
        try:
            for i in range(5):
                with transaction.atomic():
                    record(board, alice, f"{n}.{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=insert_some, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEvent.objects.filter(verb="test").count() == 30
    call_command("verify_audit_chain")

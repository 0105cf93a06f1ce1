import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(board, alice):
    return audit_record(subject=board, actor=alice, verb="test", summary="Something happened")


def test_events_cannot_be_changed_or_deleted_through_the_model(event):
    event.summary = "Rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="Rewritten")


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET summary = 'Rewritten'", "DELETE FROM audit_auditevent"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_to_change_or_delete_events(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.get().summary == "Something happened"


def test_events_are_found_by_their_subject(event, board, alice):
    assert list(AuditEvent.objects.for_subject(board)) == [event]
    assert event.actor == alice

"""Checking the audit trail's hash chain (written by PostgreSQL, see migration 0004)."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

BATCH = 2000


@dataclass(frozen=True)
class Break:
    """A place where the chain does not hold: the event, and what is wrong with it."""

    event_id: int
    position: int | None
    problem: str


def chain_breaks() -> Iterator[Break]:
    """Every break in the chain, in chain order: an event whose content no longer matches its
    hash (changed after it was written), one that does not name the hash of the event before
    it, a gap in the positions (an event removed), or an event outside the chain."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM audit_auditevent WHERE chain_position IS NULL ORDER BY id")
        for (event_id,) in cursor.fetchall():
            yield Break(event_id, None, "it is not in the chain")
    previous_hash = ""
    expected = 1
    for event_id, position, prev_hash, stored, canonical in _chained_rows():
        if position != expected:
            yield Break(event_id, position, f"events {expected} to {position - 1} are missing")
        if prev_hash != previous_hash:
            yield Break(event_id, position, "it does not follow the event before it")
        if hashlib.sha256(canonical.encode()).hexdigest() != stored:
            yield Break(event_id, position, "its content was changed after it was recorded")
        previous_hash, expected = stored, position + 1


def _chained_rows() -> Iterator[tuple[int, int, str, str, str]]:
    """The chained events in order, with the text their hash is over, a batch at a time."""
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id, e.chain_position, e.prev_hash, e.hash, audit_event_canonical(e) "
                "FROM audit_auditevent e WHERE e.chain_position > %s "
                "ORDER BY e.chain_position LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][1]


def event_holds(event_id: int) -> bool | None:
    """Whether one event still matches the hash the chain recorded for it, and the next event
    (if any) still names that hash; None where there is no chain (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.hash, audit_event_canonical(e), e.chain_position "
            "FROM audit_auditevent e WHERE e.id = %s",
            [event_id],
        )
        row = cursor.fetchone()
        if row is None or row[2] is None:
            return False
        stored, canonical, position = row
        cursor.execute(
            "SELECT prev_hash FROM audit_auditevent WHERE chain_position = %s", [position + 1]
        )
        following = cursor.fetchone()
    if hashlib.sha256(canonical.encode()).hexdigest() != stored:
        return False
    return following is None or following[0] == stored

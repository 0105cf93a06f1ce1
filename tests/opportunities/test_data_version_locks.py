"""The register's data version (opportunities.versions) moves with every committed write to the
tables its cached pages are drawn from, without making those writes wait for one another: it
is moved once, as the writer commits, so two pieces of work on different rows never deadlock
over it."""

import threading

import pytest
from django.db import transaction

from audit.marking_changes import KINDS, marking_change
from core.markings import Level, Marking
from meetings import services as meeting_services
from meetings.models import Meeting
from opportunities.models import Opportunity
from opportunities.versions import register_version
from tests.factories import AgendaItemFactory
from tests.opportunities.test_concurrent_decisions import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_minutes_and_a_marking_change_on_one_meeting_at_once_are_both_saved(held, alice):
    # One secretariat officer saves an item's minutes (the meeting is locked first) while another
    # raises another item's marking (the item written first, then the meeting's PDFs asked for).
    first = held.items.get()
    second = AgendaItemFactory(meeting=held, title="Fleet", position=2)
    meeting_locked = threading.Event()
    results: dict[str, str] = {}

    def minutes():
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=held.pk)
                meeting_locked.set()
                threading.Event().wait(0.5)  # the marking change writes its item meanwhile
                meeting_services.minutes_save(item=second, text="Fleet minutes", actor=alice)
            results["minutes"] = "saved"
        except Exception as error:  # whatever happened is the answer
            results["minutes"] = repr(error)

    def marking():
        meeting_locked.wait(5)
        try:
            marking_change(
                kind=KINDS["agenda-item"],
                thing=first,
                actor=alice,
                marking=Marking.of(Level.OFFICIAL_SENSITIVE),
                seen=None,
            )
            results["marking"] = "changed"
        except Exception as error:
            results["marking"] = repr(error)

    run_together(minutes, marking)

    assert results == {"minutes": "saved", "marking": "changed"}
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.minutes == "Fleet minutes" and first.is_sensitive


def test_the_version_moves_when_the_writer_commits_and_not_before(opportunity):
    before = register_version()
    written = threading.Event()
    read_meanwhile: list[int | None] = []

    def writer():
        with transaction.atomic():
            Opportunity.objects.filter(pk=opportunity.pk).update(title="Shared fleet depot")
            written.set()
            threading.Event().wait(0.5)

    def reader():
        written.wait(5)
        read_meanwhile.append(register_version())

    run_together(writer, reader)

    assert read_meanwhile == [before]  # the write was not committed yet
    after = register_version()
    assert after is not None and after != before


def test_a_write_rolled_back_leaves_the_version_as_it_was(opportunity):
    before = register_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(title="Never saved")
        raise RuntimeError("the service refused")
    assert register_version() == before


def test_inside_the_portals_own_transaction_nothing_is_kept_under_a_version(opportunity):
    # What a writer reads before it commits may yet be rolled back: it is never kept.
    with transaction.atomic():
        assert register_version() is None
    assert register_version() is not None

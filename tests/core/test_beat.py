"""One beat: two beats against the same Redis, and only the one holding the lock queues the
scheduled jobs; the other stands by, says so, and takes over when the first one stops."""

import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings

from bluelight.celery import app
from core.beat import SingleBeatScheduler


@pytest.fixture
def beats(tmp_path):
    """Two beats as two processes would run them (each its own schedule file), sharing a lock
    of their own in the test Redis; each records the jobs it would have queued."""
    assert settings.REDIS_URL.startswith("redis://"), "the beat tests need the test Redis"
    key = f"test:beat:{uuid.uuid4().hex}"
    made = []
    for name in ("first", "second"):
        beat = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / name))
        beat.lock_key, beat.lock_ttl = key, 2.0
        beat.queued = []
        beat.apply_async = lambda entry, *args, beat=beat, **kwargs: beat.queued.append(entry.name)
        made.append(beat)
    yield made
    for beat in made:
        beat.close()
        beat.redis.delete(key)


def everything_due(beat: SingleBeatScheduler) -> None:
    """As if the beat had last run every job more than a week ago (the weekly ones too)."""
    for entry in beat.schedule.values():
        entry.last_run_at = app.now() - timedelta(days=8)
    beat._heap = None


def run_ticks(beat: SingleBeatScheduler, count: int = 30) -> None:
    for _ in range(count):
        beat.tick()


def test_a_second_beat_stands_by_and_queues_nothing(beats, caplog):
    first, second = beats
    for beat in beats:
        everything_due(beat)
    run_ticks(first)
    with caplog.at_level(logging.WARNING, logger="bluelight.beat"):
        run_ticks(second)
    assert sorted(first.queued) == sorted(first.schedule)
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(first.queued)
    assert second.queued == []
    assert "this beat is standing by and queues nothing" in caplog.text
    # Said once, not on every tick.
    assert caplog.text.count("standing by") == 1


def test_the_running_beat_renews_its_lock_on_every_tick(beats):
    first, second = beats
    first.tick()
    time.sleep(1.2)
    first.tick()
    assert first.redis.pttl(first.lock_key) > 1500
    time.sleep(1.2)  # past the first lease: still held, since it was renewed
    run_ticks(second, 3)
    assert not second.holding and first.holding


def test_the_beat_standing_by_takes_over_when_the_first_stops(beats):
    first, second = beats
    run_ticks(first, 2)
    first.close()  # a clean stop lets go of the lock at once
    everything_due(second)
    run_ticks(second)
    assert sorted(second.queued) == sorted(second.schedule)
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(second.queued)


def test_a_beat_that_died_is_replaced_once_its_lock_lapses(beats):
    first, second = beats
    run_ticks(first, 2)  # then killed: it never lets go, never renews
    everything_due(second)
    run_ticks(second, 3)
    assert second.queued == []
    time.sleep(first.lock_ttl + 0.2)
    run_ticks(second)
    assert sorted(second.queued) == sorted(second.schedule)
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(second.queued)

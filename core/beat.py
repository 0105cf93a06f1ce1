"""One beat at a time: the running beat holds a lock in Redis; any other stands by.

Celery beat has no notion of another beat: two of them (a second machine, a container started
twice, an operator's stray ``make beat``) queue every scheduled job twice. This scheduler
queues jobs only while it holds a Redis lock with a time to live, renewed on every tick; a
second beat logs that it is standing by and queues nothing, and takes over within ``LOCK_TTL``
seconds if the first one stops (cleanly: at once, since it lets go of the lock).

Configured as ``CELERY_BEAT_SCHEDULER``. Without a Redis broker (the embedded default, tasks
run in-process) there is nothing to share a lock through and the scheduler behaves as Celery's.
"""

import logging
import uuid
from typing import Any

import redis
from celery.beat import PersistentScheduler

logger = logging.getLogger("bluelight.beat")

LOCK_KEY = "bluelight:beat:lock"
LOCK_TTL = 30.0

# Take the lock if free, or keep it if it is ours: one atomic step, so two beats never both hold it.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class SingleBeatScheduler(PersistentScheduler):
    lock_key = LOCK_KEY
    lock_ttl = LOCK_TTL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.holder = uuid.uuid4().hex
        self.holding = False
        self._standing_by_logged = False
        super().__init__(*args, **kwargs)
        url = self.app.conf.broker_url or ""
        self.redis = (
            redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
            if url.startswith(("redis://", "rediss://", "unix://"))
            else None
        )

    def tick(self, *args: Any, **kwargs: Any) -> float:
        renew = self.lock_ttl / 3
        if self.redis is not None and not self.hold_lock():
            return renew
        return min(float(super().tick(*args, **kwargs) or 0), renew)

    def hold_lock(self) -> bool:
        """Take or renew the lock; True while this beat holds it."""
        assert self.redis is not None
        try:
            held = bool(
                self.redis.eval(_HOLD, 1, self.lock_key, self.holder, int(self.lock_ttl * 1000))
            )
        except redis.RedisError as error:
            # Redis is the broker too: nothing could be queued now anyway. Once it is back the
            # lock is taken again (or found held by another beat, which then goes on).
            logger.warning("Beat cannot reach Redis to hold its lock: %s", error)
            self.holding = False
            return False
        if held and not self.holding:
            logger.info("Beat holds the lock (%s): it queues the scheduled jobs", self.lock_key)
            self._standing_by_logged = False
        if not held and (self.holding or not self._standing_by_logged):
            logger.warning(
                "Another beat holds the lock (%s): this beat is standing by and queues nothing",
                self.lock_key,
            )
            self._standing_by_logged = True
        self.holding = held
        return held

    def release_lock(self) -> None:
        if self.redis is None or not self.holding:
            return
        try:
            self.redis.eval(_RELEASE, 1, self.lock_key, self.holder)
        except redis.RedisError:
            return  # it lapses after its time to live
        finally:
            self.holding = False

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_lock()

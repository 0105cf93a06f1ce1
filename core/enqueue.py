"""Queuing a task with a bound on how long anyone waits for the broker.

Every message and job is a row before it is a task, so a task the broker does not take is never
lost: the row stays waiting and a periodic sweep queues it again. What must be bounded is the
wait. An unreachable or hung broker costs a few seconds per attempt (the limits are in
settings), so:

- within one web request (``broker_attempts_for_request``), once an attempt has failed no
  further attempt is made: the rest is left to the sweep, so no request waits on more than one
  failed attempt whatever the number of recipients;
- in any process, after a failure further attempts are skipped for ``BACKOFF_SECONDS``, so a
  burst of requests (or a sweep) does not wait out the broker's timeouts one after another.
"""

import contextvars
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("bluelight.tasks")

BACKOFF_SECONDS = 30.0


@dataclass
class _Attempts:
    failed: bool = False


_request: contextvars.ContextVar[_Attempts | None] = contextvars.ContextVar(
    "broker_attempts", default=None
)
_process_failed_at: float | None = None


@contextmanager
def broker_attempts_for_request() -> Iterator[None]:
    """Inside the block (one web request), after one failed attempt to reach the broker no
    other is made."""
    token = _request.set(_Attempts())
    try:
        yield
    finally:
        _request.reset(token)


def broker_recently_failed() -> bool:
    """True when this request, or this process in the last ``BACKOFF_SECONDS``, failed to reach
    the broker: the caller should leave its work to the sweep."""
    global _process_failed_at
    attempts = _request.get()
    if attempts is not None and attempts.failed:
        return True
    if _process_failed_at is None:
        return False
    if time.monotonic() - _process_failed_at < BACKOFF_SECONDS:
        return True
    _process_failed_at = None
    return False


def broker_failure_forget() -> None:
    """Forget a past failure (the broker is known to be back; tests start afresh)."""
    global _process_failed_at
    _process_failed_at = None
    attempts = _request.get()
    if attempts is not None:
        attempts.failed = False


def enqueue(task: Any, *args: Any, what: str = "task") -> bool:
    """Queue ``task(*args)`` unless the broker failed moments ago; True when queued.

    ``task`` is one of the portal's tasks, whose ``delay`` answers None instead of raising
    when the broker cannot be reached (``bluelight.celery.EnqueueNeverFailsTask``).
    """
    global _process_failed_at
    if broker_recently_failed():
        logger.warning("Broker failed moments ago: %s left for the sweep", what)
        return False
    if task.delay(*args) is not None:
        return True
    _process_failed_at = time.monotonic()
    attempts = _request.get()
    if attempts is not None:
        attempts.failed = True
    logger.warning("Broker unavailable: %s left for the sweep", what)
    return False

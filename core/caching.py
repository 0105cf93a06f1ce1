"""The cache as an optimisation only: when Redis cannot be reached, the page is built afresh
rather than failing."""

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

logger = logging.getLogger("bluelight.cache")
CACHE_ERRORS = (RedisError, OSError)


def cached(key: str, seconds: int, build: Callable[[], Any]) -> Any:
    """The value under ``key``, built (and kept for ``seconds``) when it is missing."""
    try:
        value = cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable (%s): building %s afresh", error, key)
        return build()
    if value is None:
        value = build()
        set_many({key: value}, seconds)
    return value


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    try:
        return cache.get_many(list(keys))
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable (%s)", error)
        return {}


def set_many(values: dict[str, Any], seconds: int) -> None:
    try:
        cache.set_many(values, seconds)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable (%s): nothing kept", error)


# --- Entries kept until what they were built from changes --------------------------------------
# An entry is stored with the versions of everything it was built from (random tokens under keys
# of their own). A change writes new tokens (``bump``), so every entry built before it no longer
# matches and is built afresh on its next read: nothing needs to know which entries to delete.


def in_application_transaction() -> bool:
    """Inside a transaction the portal opened (a test's own wrapping transaction aside): what is
    read there may yet be rolled back, so it is used but not kept."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _new_token() -> str:
    return secrets.token_hex(8)


def _started(key: str) -> str:
    """The version under ``key``, starting it when the cache has none (new, or evicted)."""
    token = _new_token()
    try:
        if cache.add(key, token, None):
            return token
        return cache.get(key) or token
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable (%s)", error)
        return token


def versioned(
    key: str,
    version_keys: Sequence[str],
    build: Callable[[], Any],
    seconds: int,
    *,
    also: tuple[str, ...] = (),
) -> tuple[Any, tuple[str, ...]]:
    """The value under ``key`` if it was built at the current versions (and with the same
    ``also``, such as today's date), otherwise built afresh and kept for ``seconds``; with the
    stamp it was built at (for keys of entries derived from it). One round trip to the cache."""
    got = get_many([key, *version_keys])
    stamp = (*(got.get(name) or _started(name) for name in version_keys), *also)
    entry = got.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp:
        return entry[1], stamp
    value = build()
    if not in_application_transaction():
        set_many({key: (stamp, value)}, seconds)
    return value, stamp


def bump(keys: Iterable[str]) -> None:
    """New versions under these keys: now, and again once the current transaction commits (a
    request reading between the two would otherwise keep what it read before the commit)."""
    keys = list(keys)
    if not keys:
        return
    _bump_now(keys)
    if connection.in_atomic_block:
        transaction.on_commit(partial(_bump_now, keys))


def is_version_renewal(callback: object) -> bool:
    """Whether an on-commit callback is ``bump``'s second renewal (for tests that look at the
    jobs a transaction queues)."""
    return isinstance(callback, partial) and callback.func is _bump_now


def _bump_now(keys: list[str]) -> None:
    token = _new_token()
    try:
        cache.set_many(dict.fromkeys(keys, token), None)
    except CACHE_ERRORS as error:
        # Entries are kept for minutes only: after an outage they are right again by then.
        logger.warning("Cache unavailable (%s): versions %s not changed", error, keys[:3])

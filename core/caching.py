"""The cache as an optimisation only: when Redis cannot be reached, the page is built afresh
rather than failing."""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
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

"""Counting requests in fixed windows, in the shared cache (Redis in production), so every web
process sees the same counts."""

import hashlib

from django.core.cache import cache


def over_limit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one more request by ``identity`` in ``scope``; True once the window holds more than
    ``limit`` of them. The identity is hashed: e-mail addresses never land in the cache."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    # add() starts the window only if it has not started; incr() then counts atomically.
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit

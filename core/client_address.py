"""The address a request really came from, for sign-in lock-outs behind proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or, behind PROXY_COUNT trusted proxies, the address the outermost of them
    saw: each proxy appends the address it received from to X-Forwarded-For, so the client is
    PROXY_COUNT entries from the right. Entries further left are the client's own claims and
    are never trusted."""
    hops = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]

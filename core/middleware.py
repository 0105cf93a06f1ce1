import time

from django.conf import settings


class IdleSessionTimeoutMiddleware:
    """Keeps a signed-in session alive while it is used; it lapses after the idle timeout.

    The session's expiry (SESSION_COOKIE_AGE) is renewed by saving the session. Saving on every
    request would cost a write per page, so the session is renewed at most once a minute.
    """

    RENEW_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            last = session.get("_renewed_at", 0)
            if now - last >= min(self.RENEW_AFTER_SECONDS, settings.SESSION_IDLE_TIMEOUT):
                session["_renewed_at"] = now
        return self.get_response(request)


class BrokerAttemptsMiddleware:
    """One failed attempt to reach the Celery broker per request at most: after it, the
    request's further messages and jobs are left (as rows) to the sweep (see core.enqueue)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .enqueue import broker_attempts_for_request

        with broker_attempts_for_request():
            return self.get_response(request)

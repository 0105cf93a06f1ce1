"""Signed-in sessions with limits: an absolute lifetime and an idle timeout.

Both are timestamps kept in the session itself, checked on every request: the idle timer is
never the cookie's age, so nothing a browser does with its cookie extends a session. A session
ends when SESSION_ABSOLUTE_LIFETIME has passed since sign-in, or SESSION_IDLE_TIMEOUT since the
person last did something (a page, a form, or "Stay signed in"); background requests that only
report progress (PASSIVE_URL_NAMES) are not activity.

A form submitted after its session ended is not lost: its text fields are kept in the new
(signed-out) session for the address it was sent to, and after signing in again that page
shows them back in the form (portal/static/js/session.js) for the person to check and submit.
"""

import re
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core import page_cache
from core.client_address import client_ip

from .models import SignedInSession

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
KEPT_FORM = "kept_form"
# Activity is written to the session (and the sessions page) at most once a minute.
TOUCH_EVERY_SECONDS = 60
# Requests a page makes by itself, to show progress: they do not keep a session alive.
PASSIVE_URL_NAMES = {"session_keep_alive", "pack_state", "report_status"}
KEPT_FORM_MAX_CHARACTERS = 100_000


def seconds_left(session: Any, now: float | None = None) -> int:
    """How long the session has before it ends, whichever limit comes first (0: it has ended)."""
    now = time.time() if now is None else now
    signed_in = session.get(SIGNED_IN_AT, now)
    last_seen = session.get(LAST_SEEN_AT, signed_in)
    idle_left = settings.SESSION_IDLE_TIMEOUT - (now - last_seen)
    absolute_left = settings.SESSION_ABSOLUTE_LIFETIME - (now - signed_in)
    return max(0, int(min(idle_left, absolute_left)))


# A page kept for the session (core/page_cache.py) is the same page whatever the time last seen;
# the seconds it shows as left are put back fresh each time it is sent.
page_cache.NOT_PAGE_STATE.add(LAST_SEEN_AT)
SECONDS_LEFT = re.compile(r'data-session-seconds-left="\d+"')


@page_cache.register_freshener
def _fresh_seconds_left(request: HttpRequest, html: str) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return html
    fresh = f'data-session-seconds-left="{seconds_left(request.session)}"'
    return SECONDS_LEFT.sub(fresh, html, count=1)


def ended_because(session: Any, now: float) -> str | None:
    """'absolute' or 'idle' when a limit has passed, else None."""
    signed_in = session.get(SIGNED_IN_AT, now)
    if now - signed_in >= settings.SESSION_ABSOLUTE_LIFETIME:
        return "absolute"
    if now - session.get(LAST_SEEN_AT, signed_in) >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Records activity now: in the session, and on the sessions page once a minute."""
    now = time.time()
    session = request.session
    session.setdefault(SIGNED_IN_AT, now)
    # Once a minute is precise enough for a 30-minute timeout; short ones are touched oftener.
    every = min(TOUCH_EVERY_SECONDS, settings.SESSION_IDLE_TIMEOUT // 4)
    if force or now - session.get(LAST_SEEN_AT, 0) >= every:
        session[LAST_SEEN_AT] = now
        if session.session_key:
            SignedInSession.objects.filter(session_key=session.session_key).update(
                last_seen_at=timezone.now(), ip_address=client_ip(request)
            )


def _kept_fields(request: HttpRequest) -> dict[str, list[str]]:
    """The text a person submitted, without the CSRF token or any password."""
    kept = {
        name: values
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and "password" not in name
    }
    if sum(len(value) for values in kept.values() for value in values) > KEPT_FORM_MAX_CHARACTERS:
        return {}
    return kept


class SessionLimitsMiddleware:
    """Ends a signed-in session at its absolute lifetime or idle timeout (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = ended_because(request.session, time.time())
            if reason:
                return self._end(request, reason)
            request.kept_form = self._kept_form_for(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        # The kept text is given back once, by the page it belongs to: not by a redirect on the
        # way there (the second factor asked for first, say).
        if getattr(request, "kept_form", None) and response.status_code == 200:
            request.session.pop(KEPT_FORM, None)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.url_name not in PASSIVE_URL_NAMES:
            touch(request)
        return None

    def _kept_form_for(self, request: HttpRequest) -> dict[str, list[str]] | None:
        kept = request.session.get(KEPT_FORM)
        if request.method != "GET" or not kept or kept.get("path") != request.path:
            return None
        return kept["fields"]

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        kept = _kept_fields(request) if request.method == "POST" else {}
        next_path = request.path if request.method == "POST" else request.get_full_path()
        logout(request)
        if kept:
            request.session[KEPT_FORM] = {"path": request.path, "fields": kept}
        if request.path == reverse("session_keep_alive"):
            return JsonResponse({"signed_in": False, "seconds_left": 0}, status=401)
        query = urlencode({"next": next_path, "ended": reason})
        return redirect(f"{reverse('login')}?{query}")


@receiver(user_logged_in)
def _remember_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    moment = timezone.now()
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "person": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_ip(request),
            "signed_in_at": moment,
            "last_seen_at": moment,
        },
    )


@receiver(user_logged_out)
def _forget_session(sender, request: HttpRequest | None, user, **kwargs) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignedInSession.objects.filter(session_key=key).delete()

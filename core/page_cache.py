"""Whole pages kept for a moment, for one browser session, until anything in the portal changes.

``@cached_page`` keeps the HTML a view answered (status 200) and gives it back when the same
session asks for the same address again, for ``PAGE_CACHE_SECONDS`` at most. An entry is keyed
by:

- the ``pages`` data version (core/data_versions.py), which PostgreSQL moves on any write to
  any of the portal's tables: a change of the data, of anyone's roles, memberships, authorities,
  markings or admissions, of a notification or a message, so a page is never kept past a
  change of anything it could show;
- the session: its key, everything in it (who signed in, their second factor, a step-up; the
  time last seen aside) and the CSRF cookie, so a page is only ever given back to the browser
  it was built for, and the forms in it still carry a token that browser may send;
- the host, the whole address with its query, and whether htmx asked for it.

What the data does not hold is left to the clock: a page showing "today", or a meeting that
has just started, is at most ``PAGE_CACHE_SECONDS`` old. A page that shows a message or an
undo offer, or puts back a form kept from an ended session, is neither kept nor taken from
the cache; nor is anything but a plain 200 answer that sets no cookie. Values that change at
every request (the seconds left in the session, for portal/static/js/session.js) are put back
fresh by the ``fresheners`` registered here (boards/sessions.py) before a kept page is sent.

Views that do something on GET (record a download, mark as read) are not decorated. Where no
versions are kept (SQLite, ``make run``), or ``PAGE_CACHE_SECONDS`` is 0, pages are always
built.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from . import caching, undo
from .data_versions import PAGES, data_version

Freshener = Callable[[HttpRequest, str], str]
fresheners: list[Freshener] = []

# Session values that change with no change to the page (the person's activity time).
NOT_PAGE_STATE: set[str] = set()
# Session values that the next page shows once and removes.
SHOWN_ONCE: set[str] = {undo.OFFER}


def register_freshener(freshener: Freshener) -> Freshener:
    fresheners.append(freshener)
    return freshener


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def _session_state(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    state = {name: value for name, value in session.items() if name not in NOT_PAGE_STATE}
    return repr(sorted(state.items(), key=lambda item: item[0]))


def page_key(request: HttpRequest, version: int) -> str:
    session = getattr(request, "session", None)
    parts = (
        getattr(session, "session_key", None) or "",
        _session_state(request),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.get_host(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    database = settings.DATABASES["default"]["NAME"]
    return f"page:{database}:{version}:{digest}"


def _has_pending_messages(request: HttpRequest) -> bool:
    if not hasattr(request, "_messages"):
        return False
    return len(messages.get_messages(request)) > 0  # counting marks nothing as shown


def _may_take(request: HttpRequest) -> bool:
    if request.method != "GET" or _seconds() <= 0:
        return False
    if getattr(request, "kept_form", None) or _has_pending_messages(request):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and any(name in session for name in SHOWN_ONCE))


def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage.used or len(storage)):
        return False
    # A CSRF secret made in this request is not yet the browser's: the page's forms would carry
    # a token no other request of this browser could send.
    if settings.CSRF_COOKIE_NAME not in request.COOKIES and request.META.get("CSRF_COOKIE"):
        return False
    return not caching.in_application_transaction()


def _from_kept(request: HttpRequest, kept: tuple[str, dict[str, str]]) -> HttpResponse:
    html, headers = kept
    for freshener in fresheners:
        html = freshener(request, html)
    response = HttpResponse(html)
    response.from_page_cache = True  # type: ignore[attr-defined]
    for name, value in headers.items():
        response[name] = value
    return response


def kept_while_unchanged(name: str, parts: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()``'s value, kept like a page: under the ``pages`` data version (any change to
    the portal's data builds it again) for ``PAGE_CACHE_SECONDS`` at most, keyed by ``name``
    and ``parts`` (everything the value depends on that is not in the data: an address's
    token, say). For answers that are not a session's HTML page (a calendar feed). Built every
    time where no versions are kept, and inside a transaction the portal opened."""
    seconds = _seconds()
    version = data_version(PAGES) if seconds > 0 else None
    if version is None or caching.in_application_transaction():
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    database = settings.DATABASES["default"]["NAME"]
    key = f"kept:{name}:{database}:{version}:{digest}"
    return caching.cached(key, seconds, lambda: (build(),))[0]


KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag", "Vary")


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view's page, kept for this session until anything changes (see the module's text)."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not _may_take(request):
            return view(request, *args, **kwargs)
        version = data_version(PAGES)
        if version is None:
            return view(request, *args, **kwargs)
        key = page_key(request, version)
        kept = caching.get_many([key]).get(key)
        if isinstance(kept, tuple) and len(kept) == 2:
            return _from_kept(request, kept)
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not getattr(
            response, "is_rendered", True
        ):
            response = response.render()
        if _may_keep(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            html = response.content.decode(response.charset)
            caching.set_many({key: (html, headers)}, _seconds())
        return response

    return page

"""The navigation every signed-in page shows, rendered once per person and page and kept.

Its HTML is kept in the cache under a key made of the person's id, the versions of their cached
record (``boards.person_cache.stamp_of``: new whenever their roles, authorities, boards, bodies,
name or second factors change), the page's name (which link is the current one) and their unread
count: so it is never another person's, and never older than what it shows. The sign-out form's
CSRF token is the one thing in it that belongs to the request: it is rendered as a placeholder and
the request's own token put in its place on every page. The search page, whose box shows what was
searched for, renders it afresh.
"""

import hashlib
from functools import lru_cache

from django import template
from django.template import Engine
from django.template.context import Context
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from boards.person_cache import stamp_of
from core import caching

register = template.Library()

TEMPLATE = "components/navigation.html"
KEEP_SECONDS = 10 * 60
CSRF_PLACEHOLDER = "csrf0placeholder0for0the0request0token"
NOT_KEPT = frozenset({"search"})


def navigation_key(person_id: int, stamp: tuple[str, ...], url_name: str, unread: int) -> str:
    versions = hashlib.sha256(":".join(stamp).encode()).hexdigest()[:16]
    return f"navigation:v1:{person_id}:{versions}:{url_name}:{unread}"


@register.simple_tag(takes_context=True)
def main_navigation(context: Context) -> SafeString:
    request = context["request"]
    user = context["user"]
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name if match is not None else None) or ""
    engine = context.template.engine if context.template is not None else Engine.get_default()
    template_ = engine.get_template(TEMPLATE)
    values = {"request": request, "user": user, "nav": context.get("nav")}
    if url_name in NOT_KEPT:
        return template_.render(context.new({**values, "csrf_token": context.get("csrf_token")}))
    unread = context["nav"]["unread_notifications"]
    key = navigation_key(user.pk, stamp_of(user), url_name, unread)
    html = caching.get_many([key]).get(key)
    if html is None:
        html = template_.render(context.new({**values, "csrf_token": CSRF_PLACEHOLDER}))
        if not caching.in_application_transaction():
            caching.set_many({key: str(html)}, KEEP_SECONDS)
    token = escape(str(context.get("csrf_token")))
    return mark_safe(str(html).replace(CSRF_PLACEHOLDER, token))  # noqa: S308 - rendered (escaped) by the template


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str) -> str:
    return reverse(name)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url %}`` for the layout's addresses without arguments (home, sign-in, the footer's
    pages), worked out once per process rather than on every page."""
    return _reversed(name, get_script_prefix())

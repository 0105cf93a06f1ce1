"""Who is asking: a personal API token in ``Authorization: Bearer <token>``.

A token works while it is neither revoked nor expired, its person's account is on and the
person still holds a role: a current board membership, executive authority for a body, or (a
guest) a current invitation. Every refusal is a 401 with a sentence saying why. Each token, and
each address for the public endpoints, is held to a number of requests a minute (429 with
``Retry-After``).
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from boards.models import ApiToken, User
from boards.permissions import current_memberships, executive_organisation_ids
from boards.services import api_token_find
from core.client_address import client_ip
from core.ratelimit import over_limit
from meetings.selectors import current_invitations

from .errors import ApiRefusal

RATE_WINDOW_SECONDS = 60
# last_used_at is written at most this often per token, not on every request.
LAST_USED_EVERY_SECONDS = 60

UNKNOWN = (
    "This API token is not known: check that you copied all of it, or make a new one on your "
    "API tokens page."
)
MISSING = (
    "Send a personal API token in the header “Authorization: Bearer <token>”. Make one on "
    "your API tokens page in the portal."
)


def refusal_of(record: ApiToken, now=None) -> str | None:
    """Why this (genuine) token may not be used now, in a sentence; None when it may."""
    now = now or timezone.now()
    if record.revoked_at:
        when = timezone.localtime(record.revoked_at)
        return f"This API token (“{record.name}”) was revoked on {when:%-d %B %Y}."
    if record.expires_at <= now:
        when = timezone.localtime(record.expires_at)
        return (
            f"This API token (“{record.name}”) expired on {when:%-d %B %Y}; make a new one "
            "on your API tokens page."
        )
    person = record.person
    if not person.is_active:
        return "The account this API token belongs to is switched off."
    if not has_a_role(person):
        return (
            "The person this API token belongs to no longer holds a role on any board or "
            "body, so it no longer works."
        )
    return None


def has_a_role(person: User) -> bool:
    return bool(
        current_memberships(person)
        or executive_organisation_ids(person)
        or current_invitations(person).exists()
    )


def limit_rate(scope: str, identity: str, limit: int) -> None:
    if over_limit(scope, identity, limit=limit, window_seconds=RATE_WINDOW_SECONDS):
        raise ApiRefusal(
            429,
            f"Too many requests: at most {limit} a minute. Wait a minute and try again.",
            {"Retry-After": str(RATE_WINDOW_SECONDS)},
        )


def limit_public_rate(request: HttpRequest) -> None:
    limit_rate("api-public", client_ip(request) or "unknown", settings.API_PUBLIC_RATE_PER_MINUTE)


class TokenAuth(HttpBearer):
    """A personal API token; the person it belongs to becomes ``request.user``."""

    def __call__(self, request: HttpRequest):
        if not request.headers.get(self.header):
            raise ApiRefusal(401, MISSING, {"WWW-Authenticate": "Bearer"})
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        record = api_token_find(token)
        if record is None:
            raise ApiRefusal(401, UNKNOWN, {"WWW-Authenticate": "Bearer"})
        refusal = refusal_of(record)
        if refusal:
            raise ApiRefusal(401, refusal, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        limit_rate("api-token", str(record.pk), settings.API_RATE_PER_MINUTE)
        now = timezone.now()
        if (
            record.last_used_at is None
            or (now - record.last_used_at).total_seconds() >= LAST_USED_EVERY_SECONDS
        ):
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.person
        request.api_token = record  # type: ignore[attr-defined]
        return record.person

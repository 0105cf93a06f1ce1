"""Second factors (django-otp): who must use one, whether this session has, and how fresh.

A person's second factor is an authenticator app (TOTP) with single-use recovery codes as the
fallback. It is required for the secretariat, chairs and vice-chairs, executives and
administrators, and for everyone on a board that asks for it; anyone else may choose to set one
up, and once set up it is asked for at every sign-in. Some steps (recording a decision,
approving minutes, changing someone's roles) ask for it again if the last time was long ago.

A body whose people sign in through its own identity provider (boards.sign_on) may say that
the provider's multi-factor sign-in counts as the second factor: the session then carries
``PROVIDER_VERIFIED`` instead of a django-otp device, dated by the provider's ``auth_time``.
The step-up rule is the same for it: once that is older than TWO_FACTOR_STEP_UP_MINUTES, the
person signs in at the provider again (``prompt=login``, ``max_age=60``) and must come back
with a fresh multi-factor sign-in.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from . import permissions
from .models import BoardMembership, User
from .person_cache import record_of

Role = BoardMembership.Role
ROLES_THAT_NEED_IT = frozenset({Role.SECRETARIAT, Role.CHAIR, Role.VICE_CHAIR})
VERIFIED_AT = "two_factor_verified_at"
NOT_SET_UP = "two_factor_not_set_up"
PROVIDER_VERIFIED = "two_factor_by_provider"


def is_required_for(person: User) -> bool:
    """Whether the person must sign in with a second factor."""
    if person.is_staff or person.is_superuser or permissions.is_executive(person):
        return True
    return any(
        m.role in ROLES_THAT_NEED_IT or m.board.two_factor_for_everyone
        for m in permissions.current_memberships(person)
    )


def has_second_factor(person: User) -> bool:
    """The person has confirmed a second factor (from their cached record: setting one up or
    removing it renews the record)."""
    return bool(record_of(person).confirmed_devices)


class SecondFactorDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware, without its query on every request: which device this session
    passed its second factor with (``request.user.otp_device``) is checked against the
    person's cached record, whose confirmed devices are renewed whenever a device is saved or
    deleted. As in django-otp, a session whose device has gone (or is no longer confirmed, or
    is someone else's) is no longer verified, and forgets it. The device itself is read from
    the database only if something asks for more than whether there is one."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if not persistent_id:
            return user
        persistent_id = self._normalize_persistent_id(persistent_id)
        if persistent_id in record_of(user).confirmed_devices:
            user.otp_device = SimpleLazyObject(lambda: _confirmed_device(persistent_id, user))
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


def _confirmed_device(persistent_id: str, user: User) -> Device:
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        raise Device.DoesNotExist(f"The second factor {persistent_id} is no longer set up.")
    return device


def is_verified(request: HttpRequest) -> bool:
    """The session has passed a second factor (django-otp's middleware checks the device), or
    its person signed in through a provider whose multi-factor sign-in counts as one."""
    user = request.user
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_verified", lambda: False)()) or verified_by_provider(request)


def verified_by_provider(request: HttpRequest) -> bool:
    """This session's second factor is its person's multi-factor sign-in at their body's
    identity provider."""
    marked = request.session.get(PROVIDER_VERIFIED)
    return isinstance(marked, dict) and marked.get("person") == request.user.pk


def mark_verified_by_provider(request: HttpRequest, *, sign_on_pk: int, at: int) -> None:
    """This session's person passed a multi-factor sign-in at the provider at ``at``."""
    request.session[PROVIDER_VERIFIED] = {"person": request.user.pk, "sign_on": sign_on_pk}
    request.session[VERIFIED_AT] = min(at, now())


def now() -> int:
    return int(time.time())


def mark_verified(request: HttpRequest, device: Device) -> None:
    """This session passed ``device`` just now."""
    otp_login(request, device)
    request.session[VERIFIED_AT] = now()


def is_fresh(request: HttpRequest) -> bool:
    """The session passed a second factor within the step-up window."""
    if not is_verified(request):
        return False
    verified_at = request.session.get(VERIFIED_AT, 0)
    return time.time() - verified_at <= settings.TWO_FACTOR_STEP_UP_MINUTES * 60


def verify_url(next_url: str, *, step_up: bool = False) -> str:
    query = {"next": next_url, **({"step_up": "1"} if step_up else {})}
    return f"{reverse('two_factor_verify')}?{urlencode(query)}"


def step_up_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    """Send the person to confirm their second factor, then back to ``next_url`` (the page
    itself by default; a refused POST goes back to its page, never replayed). A session whose
    second factor came from the person's identity provider goes back to the provider."""
    if verified_by_provider(request):
        sign_on_pk = request.session[PROVIDER_VERIFIED]["sign_on"]
        query = urlencode({"next": next_url or request.get_full_path(), "step_up": "1"})
        return redirect(f"{reverse('sign_on_start', args=[sign_on_pk])}?{query}")
    if not has_second_factor(request.user):  # type: ignore[arg-type]
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url or '/'})}")
    messages.info(
        request,
        "This step needs your second factor again: enter a code from your authenticator app.",
    )
    return redirect(verify_url(next_url or request.get_full_path(), step_up=True))


def fresh_second_factor(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view that acts only for a session that passed its second factor within the last
    TWO_FACTOR_STEP_UP_MINUTES; otherwise the person confirms it first and comes back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_fresh(request):
            return step_up_redirect(request, request.path)
        return view(request, *args, **kwargs)

    return wrapper


# Pages a signed-in person reaches before passing their second factor.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "two_factor_verify",
        "two_factor_setup",
        "two_factor_qr",
        "logout",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # Signing in (again) through a body's identity provider.
        "sign_on_start",
        "sign_on_callback",
    }
)


class SecondFactorMiddleware:
    """Before any other signed-in page, a person who has a second factor passes it, and a
    person who must have one and has not sets it up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if match is not None and match.namespace == "otp_webauthn":
            return None  # the passkey ceremonies check for themselves who may use them
        assert isinstance(user, User)
        next_url = request.get_full_path() if request.method == "GET" else "/"
        required = is_required_for(user)
        if not required and request.session.get(NOT_SET_UP):
            return None
        if has_second_factor(user):
            return redirect(verify_url(next_url))
        if required:
            return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}")
        # Someone who may do without a second factor and has none: looked up once per sign-in
        # (the session is new at each sign-in), not on every page.
        request.session[NOT_SET_UP] = True
        return None

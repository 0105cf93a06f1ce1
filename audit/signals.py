"""Sign-ins, sign-outs, failed sign-ins and lock-outs, and uploads refused or not scanned by the
virus check, recorded as security events."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from core.uploads import virus_check_event

from .services import context_security_record, security_record

# A failed second factor is sent as a failed sign-in too (so the lock-out counts it), marked
# with this key so that it is recorded once, by the second-factor page, not twice.
SECOND_FACTOR_MARK = "second_factor"
# A failed sign-in whose event its own view records, with its reason (single sign-on).
RECORDED_MARK = "recorded"
# The request attribute naming how a sign-in was made, when not with a password.
SIGN_IN_METHOD = "sign_in_method"


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    security_record(
        request=request,
        verb="sign_in.succeeded",
        summary=f"{user} signed in with {getattr(request, SIGN_IN_METHOD, 'their password')}",
        actor=user,
        subject=user,
        username=user.get_username(),
    )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_sign_in_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None or credentials.get(SECOND_FACTOR_MARK) or credentials.get(RECORDED_MARK):
        return
    # Only the name tried is kept: Django has already masked the password in ``credentials``.
    username = str(credentials.get("username") or credentials.get("email") or "")
    security_record(
        request=request,
        verb="sign_in.failed",
        summary="A sign-in failed",
        username=username,
    )


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def record_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    security_record(
        request=request,
        verb="sign_out",
        summary=f"{user} signed out",
        actor=user,
        subject=user,
        username=user.get_username(),
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def record_lock_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    security_record(
        request=request,
        verb="sign_in.locked_out",
        summary="Sign-in locked after repeated failures",
        username=username or "",
    )


@receiver(virus_check_event, dispatch_uid="audit_virus_check")
def record_virus_check(
    sender: Any, verb: str, summary: str, facts: dict[str, Any], **kwargs: Any
) -> None:
    context_security_record(verb=verb, summary=summary, after=facts)

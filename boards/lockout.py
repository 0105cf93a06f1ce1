"""Sign-in lock-out that cannot be sidestepped, on top of django-axes.

Axes counts failed sign-ins; this module decides what is counted and when it locks:

- the username is normalised first (Unicode NFKC, every space or invisible character removed,
  lower case), so ``Tom.Reid@opcc.example`` and `` tom.reid@opcc.example `` are one account;
- failures lock an account from one address after ``AXES_FAILURE_LIMIT``; an account from all
  addresses together after ``SIGN_IN_ACCOUNT_FAILURE_LIMIT`` (guessing spread over many
  addresses); and an address for all accounts after ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` (one
  address trying many accounts);
- a lock-out lasts ``SIGN_IN_LOCKOUT_FIRST`` (15 minutes) from the failure that caused it, and
  each new lock-out of the same account within ``SIGN_IN_LOCKOUT_MEMORY`` (a day) lasts twice as
  long as the one before, up to ``SIGN_IN_LOCKOUT_LONGEST`` (``cool_off``, axes'
  ``AXES_COOLOFF_TIME``; the lock-outs are axes' failure log rows marked locked out);
- attempts during a lock-out are refused without being counted
  (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``);
- a successful sign-in clears only that account's failures from that address, never the
  address's failures against other accounts.

The portal's sign-in page and ``/admin/login/`` both authenticate through Django's
``authenticate()``, so both pass through here.
"""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from core.usernames import normalise_username


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the normalised username of a sign-in attempt."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials.get(field))
    return normalise_username(request.POST.get(field) if request is not None else None)


def lock_out_for(lock_outs: int) -> timedelta:
    """How long the account's lock-out lasts after ``lock_outs`` lock-outs within the memory
    window (this one included): the first length, doubled for each one before it, capped."""
    first, longest = settings.SIGN_IN_LOCKOUT_FIRST, settings.SIGN_IN_LOCKOUT_LONGEST
    doublings = max(lock_outs - 1, 0)
    if doublings >= 32 or first * 2**doublings > longest:
        return longest
    return first * 2**doublings


def cool_off(request) -> timedelta:
    """AXES_COOLOFF_TIME: the lock-out length for the account a sign-in attempt names, after
    its lock-outs of the last ``SIGN_IN_LOCKOUT_MEMORY``."""
    if request is None:
        return settings.SIGN_IN_LOCKOUT_FIRST
    username = axes_username(request, getattr(request, "axes_credentials", None))
    if not username:
        return settings.SIGN_IN_LOCKOUT_FIRST
    since = timezone.now() - settings.SIGN_IN_LOCKOUT_MEMORY
    lock_outs = AccessFailureLog.objects.filter(
        username=username, locked_out=True, attempt_time__gte=since
    ).count()
    return lock_out_for(lock_outs)


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with three counters, each with its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_account = Q(username=username) if username else Q(pk__in=[])
        by_address = Q(ip_address=address)
        totals = recent.filter(by_account | by_address).aggregate(
            pair=Sum("failures_since_start", filter=by_account & by_address),
            account=Sum("failures_since_start", filter=by_account),
            address=Sum("failures_since_start", filter=by_address),
        )
        pair = totals["pair"] or 0
        if (totals["account"] or 0) >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT or (
            totals["address"] or 0
        ) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in: that account's failures from that address only."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count

    def clean_expired_user_attempts(self, request=None, credentials: dict | None = None) -> int:
        """Failures older than the longest lock-out, everyone's; and this account's own older
        than its lock-out now. (Axes would clean everyone's with the length of the account
        asking, ending a longer lock-out of another account early.)"""
        now = timezone.now()
        count, _ = AccessAttempt.objects.filter(
            attempt_time__lte=now - settings.SIGN_IN_LOCKOUT_LONGEST
        ).delete()
        username = get_client_username(request, credentials) if request is not None else None
        if username:
            own, _ = AccessAttempt.objects.filter(
                username=username, attempt_time__lte=get_cool_off_threshold(request)
            ).delete()
            count += own
        return count

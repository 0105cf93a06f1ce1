"""Guest accounts made for one meeting are switched off once it is over (run hourly by a task).

Kept apart from ``services`` so the task that runs it need not import the services (which queue
tasks themselves).
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from boards.models import User

from .models import GuestAccount, Meeting

# A guest account works until the day after its meeting ends, so the guest can still read the
# papers they were sent; then it is switched off.
GUEST_ACCOUNT_GRACE = timedelta(days=1)


def guest_accounts_expire(*, now: datetime | None = None) -> int:
    """Switch off the guest accounts whose meeting is over (or cancelled); returns how many."""
    now = now or timezone.now()
    over = GuestAccount.objects.filter(ended_at__isnull=True).filter(
        Q(meeting__ends_at__lt=now - GUEST_ACCOUNT_GRACE)
        | Q(meeting__status=Meeting.Status.CANCELLED)
    )
    people = list(over.values_list("person_id", flat=True))
    User.objects.filter(pk__in=people).update(is_active=False)
    return over.update(ended_at=now)

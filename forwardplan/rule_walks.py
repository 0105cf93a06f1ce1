"""Walking a repeat rule with a bound: its first date after a day, or None if none comes within
so many months of its start.

dateutil walks a rule period by period (day by day for a daily rule) until a date fits, with no
end before the year 9999 and no bound to ask for: a rule whose dates never come (30 February)
walks millions of days, seconds of work, and an UNTIL does not stop it (dateutil compares the
UNTIL only with a date that fits). The bound here counts the months walked: dateutil rebuilds
its masks of the year once for each month it walks (each period, where a period is longer than a
month, as for a yearly rule), and reads the rule's ``_byeaster`` each time.
``tests/forwardplan/test_calendar_recurrence.py`` checks the count still moves with the walk.

Apart from ``calendars`` so that dateutil is imported only where a calendar is read.
"""

from datetime import datetime
from typing import Any

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]


class WalkedTooFar(Exception):
    """The rule walked its months without a date."""


class WalkedRule(rrule):
    """A dateutil rule that stops after walking ``months`` months; ``walked`` counts them."""

    def __init__(self, rule: rrule, months: int) -> None:
        self.months = months
        self.walked = 0
        super().__init__(**_arguments(rule))
        self.walked = 0  # reading the rule to make it is no month walked

    @property
    def _byeaster(self) -> Any:
        self.walked += 1
        if self.walked > self.months:
            raise WalkedTooFar
        return self._easter

    @_byeaster.setter
    def _byeaster(self, value: Any) -> None:
        self._easter = value


def _arguments(rule: rrule) -> dict[str, Any]:
    """The arguments that make ``rule`` again (as dateutil's ``rrule.replace`` gathers them)."""
    return {
        "freq": rule._freq,
        "dtstart": rule._dtstart,
        "interval": rule._interval,
        "wkst": rule._wkst,
        "count": rule._count,
        "until": rule._until,
        **rule._original_rule,
    }


def walked_rule(text: str, start: datetime, months: int) -> WalkedRule:
    """The rule written as in an RRULE line (``FREQ=WEEKLY;BYDAY=TH``), from ``start``;
    ``ValueError`` if dateutil cannot read it."""
    return WalkedRule(rrulestr(text, dtstart=start), months)


def first_date_after(text: str, start: datetime, after: datetime, months: int) -> datetime | None:
    """The rule's first date after ``after``, walking at most ``months`` months from ``start``;
    None if none comes by then (or ever)."""
    try:
        return walked_rule(text, start, months).after(after)
    except WalkedTooFar:
        return None

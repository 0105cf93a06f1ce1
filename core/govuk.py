"""Dates, times, money and counts written the GOV.UK way, for templates and messages alike.

One rule for the whole portal: a date is "15 December 2026"; a meeting's day, where the weekday
helps, is "Tuesday 15 December 2026"; a time is "10am", "2:30pm", "midday" or "midnight" (and,
where the second matters, as in the audit trail, "2 December 2026, 3:30:05pm"); money is
"£12,200" (pence only when there are some: "£12,200.50"; figures that add up many amounts, such as
the dashboard's and the annual report's, to the nearest pound).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def govuk_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def govuk_day(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value:%A} {govuk_date(value)}"


def govuk_time(value: dt.time | dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def govuk_datetime(value: dt.datetime | None) -> str:
    """ "15 December 2026 at 2:30pm"."""
    if value is None:
        return ""
    return f"{govuk_date(value)} at {govuk_time(value)}"


def govuk_day_datetime(value: dt.datetime | None) -> str:
    """ "Tuesday 15 December 2026 at 2:30pm"."""
    if value is None:
        return ""
    return f"{govuk_day(value)} at {govuk_time(value)}"


def govuk_time_seconds(value: dt.time | dt.datetime | None) -> str:
    """ "3:30:05pm", "9:00:00am": the time to the second, for records such as the audit trail.
    Exactly 12:00:00 is "midday" and 00:00:00 "midnight", as in ``govuk_time``."""
    if value is None:
        return ""
    if value.minute == 0 and value.second == 0 and value.hour in (0, 12):
        return govuk_time(value)
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}:{value.second:02d}{suffix}"


def govuk_timestamp(value: dt.datetime | None) -> str:
    """ "2 December 2026, 3:30:05pm": when something was recorded, to the second."""
    if value is None:
        return ""
    return f"{govuk_date(value)}, {govuk_time_seconds(value)}"


def govuk_time_range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """ "10am to midday"."""
    if start is None:
        return ""
    if end is None:
        return govuk_time(start)
    return f"{govuk_time(start)} to {govuk_time(end)}"


def money(value: Decimal | int | float | str | None, *, nearest_pound: bool = False) -> str:
    """ "£12,200", "£12,200.50" (pence only when there are some), "-£300"; "" for no amount.
    With ``nearest_pound``, rounded half up to a whole pound: "£87,301" for 87,300.50."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if nearest_pound:
        amount = amount.quantize(Decimal("1"), ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 review", "2 reviews", "0 reviews"."""
    return f"{number:,} {singular if number == 1 else (plural or singular + 's')}"

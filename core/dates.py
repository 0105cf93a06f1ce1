"""Dates people type are plausible ones: a year from 2000 to 2100.

Years such as 0001 or 9999 are valid dates to Python, but nothing the board does happens then,
and date arithmetic near the edges of the calendar fails. Every form with a date or date-time
field takes ``PlausibleDatesMixin``; ``tests/core/test_dates.py`` finds the forms that forget.
"""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone

from core.widgets import DateParts, DateTimeParts, parse_time

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def validate_plausible_year(value: date | datetime | None) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}, for example "
            "1 December 2026. Check the year.",
            code="implausible_year",
        )


class PlausibleDatesMixin:
    """Bounds every date and date-time field of the form to EARLIEST_YEAR to LATEST_YEAR, with the
    same bounds on the browser's date picker."""

    fields: dict[str, forms.Field]
    # Fields the form already holds to tighter bounds, with its own message (such as "within
    # 10 years of today"): they keep that message, and only get the date picker's bounds.
    tighter_date_bounds: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateTimeField):
                bounds = (f"{EARLIEST_YEAR}-01-01T00:00", f"{LATEST_YEAR}-12-31T23:59")
            elif isinstance(field, forms.DateField):
                bounds = (f"{EARLIEST_YEAR}-01-01", f"{LATEST_YEAR}-12-31")
            else:
                continue
            if name not in self.tighter_date_bounds:
                field.validators.append(validate_plausible_year)
            if isinstance(field.widget, forms.MultiWidget):
                continue  # typed boxes, not a picker: nothing to bound
            field.widget.attrs.setdefault("min", bounds[0])
            field.widget.attrs.setdefault("max", bounds[1])


class DateTimePartsField(forms.DateTimeField):
    """A date and time typed in the DateTimeParts boxes, read in UK time.

    ``time_name`` words the time box's error: "Enter a start time, like 10am or 2:30pm"."""

    widget = DateTimeParts

    def __init__(self, *args: Any, time_name: str = "", **kwargs: Any) -> None:
        kwargs.pop("widget", None)
        super().__init__(*args, widget=DateTimeParts, **kwargs)
        self.time_name = time_name

    def time_message(self) -> str:
        noun = f"{self.time_name} time" if self.time_name else "time"
        article = "an" if noun[:1] in "aeiou" else "a"
        return f"Enter {article} {noun}, like 10am or 2:30pm"

    def to_python(self, value: Any) -> datetime | None:
        if not isinstance(value, (list, tuple)):
            return super().to_python(value)  # an ISO date-time posted under the field's name
        if not any(value):
            return None
        day, month, year, typed_time = (str(part or "").strip() for part in value)
        label = str(self.label or "The date")
        if not (day or month or year):
            raise ValidationError(f"Enter a date for “{label}”", code="invalid_date")
        problem = DateParts.problem(f"{year}-{month}-{day}", label)
        if problem:
            raise ValidationError(problem, code="invalid_date")
        at = parse_time(typed_time)
        if at is None:
            raise ValidationError(self.time_message(), code="invalid_time")
        return from_current_timezone(datetime.combine(date(int(year), int(month), int(day)), at))

"""The request for a collaboration report: a period, chosen from presets or given by dates."""

from datetime import date, timedelta
from typing import Any, cast

from django import forms

from core.dates import PlausibleDatesMixin
from core.widgets import DateParts

DATE = DateParts()
MAX_YEARS = 2
CUSTOM = "custom"


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def financial_year_start(today: date) -> date:
    """1 April of the financial year (April to March) that ``today`` falls in."""
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def presets(today: date) -> dict[str, tuple[str, date, date]]:
    """The periods offered by name: (label, from, to)."""
    this_year = financial_year_start(today)
    last_year = this_year.replace(year=this_year.year - 1)
    return {
        "last_financial_year": (
            f"Last financial year ({last_year.year}/{str(this_year.year)[2:]})",
            last_year,
            this_year - timedelta(days=1),
        ),
        "this_financial_year": (
            f"This financial year to date ({this_year.year}/{str(this_year.year + 1)[2:]})",
            this_year,
            today,
        ),
        "last_calendar_year": (
            f"Last calendar year ({today.year - 1})",
            date(today.year - 1, 1, 1),
            date(today.year - 1, 12, 31),
        ),
    }


class ReportRequestForm(PlausibleDatesMixin, forms.Form):
    period = forms.ChoiceField(label="Period", widget=forms.RadioSelect)
    start = forms.DateField(label="From", required=False, widget=DATE)
    end = forms.DateField(label="To", required=False, widget=DATE)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.presets = presets(today)
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (key, f"{label}: {start:%-d %B %Y} to {end:%-d %B %Y}")
            for key, (label, start, end) in self.presets.items()
        ] + [(CUSTOM, "Other dates (give them below)")]
        self.fields["period"].initial = "last_financial_year"
        self.fields["start"].help_text = "For other dates: the first day of the period."
        self.fields[
            "end"
        ].help_text = f"The last day of the period; at most {MAX_YEARS} years after the first."

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period is None:
            return data
        if period != CUSTOM:
            _, data["start"], data["end"] = self.presets[period]
            return data
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Give the first day of the period.")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Give the last day of the period.")
        if start is None or end is None:
            return data
        if start > self.today:
            self.add_error("start", "The period must start today or earlier.")
        elif start > end:
            self.add_error("end", "The period must end on or after the day it starts.")
        elif end >= _years_later(start, MAX_YEARS):
            self.add_error("end", f"A report covers at most {MAX_YEARS} years.")
        return data

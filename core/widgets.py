"""Widgets rendered in Python rather than through a template per option.

Django renders a <select> through one template per option, which dominates the cost of a list
page's filter bar; these produce the same HTML directly.
"""

import datetime
import re

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {
            str(v)
            for v in (value if isinstance(value, (list, tuple)) else [value])
            if v is not None
        }
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in selected else "", label)
                for option_value, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class DateParts(forms.MultiWidget):
    """A date as day, month and year boxes (GOV.UK's date input), not the browser's picker.

    The parts come back as "YYYY-M-D" for the DateField to read, so a missing or impossible part
    is that field's error; a plain ISO date posted under the field's own name is read as it is.
    """

    template_name = "components/date_parts.html"
    PARTS = ("day", "month", "year")

    def __init__(self, attrs=None):
        def part(width: str, maxlength: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "maxlength": maxlength,
                    "class": f"form-control date-part-{width}",
                }
            )

        super().__init__({"day": part("2", 2), "month": part("2", 2), "year": part("4", 4)}, attrs)

    def decompress(self, value):
        if not value:
            return [None, None, None]
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        return [value.day, value.month, value.year]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        day, month, year = (str(data.get(f"{name}_{part}", "")).strip() for part in self.PARTS)
        if not (day or month or year):
            return ""
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part in self.PARTS)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, str) and value.count("-") == 2:
            # What was sent, shown as it was typed (an impossible date included).
            year, month, day = (
                part.lstrip("0") or part if part.isdigit() and len(part) <= 2 else part
                for part in value.split("-")
            )
            subwidgets = context["widget"]["subwidgets"]
            wrong = set(self.wrong_parts(value))
            for part, subwidget, typed in zip(
                self.PARTS, subwidgets, (day, month, year), strict=True
            ):
                subwidget["value"] = typed
                attrs = subwidget["attrs"] = dict(subwidget["attrs"])
                if part in wrong:  # the box that is wrong is marked, not the whole date
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                    attrs["aria-invalid"] = "true"
                elif wrong:
                    attrs.pop("aria-invalid", None)  # Django marks every box of a wrong field
        return context

    @classmethod
    def typed_parts(cls, value: object) -> dict[str, str] | None:
        """The day, month and year as typed, from the "YYYY-M-D" the widget sends."""
        if not isinstance(value, str) or value.count("-") != 2:
            return None
        year, month, day = (part.strip() for part in value.split("-"))
        return {"day": day, "month": month, "year": year}

    @classmethod
    def wrong_parts(cls, value: object) -> list[str]:
        """Which boxes are wrong: the empty ones; else those that cannot be a day, a month or a
        year; else (a date such as 31 February) all three."""
        typed = cls.typed_parts(value)
        if typed is None or not any(typed.values()):
            return []
        missing = [part for part in cls.PARTS if not typed[part]]
        if missing:
            return missing
        limits = {"day": (1, 31), "month": (1, 12), "year": (1000, 9999)}
        impossible = [
            part
            for part in cls.PARTS
            if not typed[part].isdigit()
            or not limits[part][0] <= int(typed[part]) <= limits[part][1]
        ]
        if impossible:
            return impossible
        try:
            datetime.date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            return list(cls.PARTS)
        return []

    @classmethod
    def problem(cls, value: object, label: str) -> str | None:
        """GOV.UK's message for a date typed wrongly ("Date of the decision must include a
        month", "… must be a real date"); None when the parts make a date."""
        typed = cls.typed_parts(value)
        wrong = cls.wrong_parts(value)
        if typed is None or not wrong:
            return None
        missing = [part for part in wrong if not typed[part]]
        if missing:
            return f"{label} must include a {' and '.join(missing)}"
        return f"{label} must be a real date"


NAMED_TIMES = {
    "midday": datetime.time(12),
    "noon": datetime.time(12),
    "12 noon": datetime.time(12),
    "midnight": datetime.time(0),
}
TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time(typed: str) -> datetime.time | None:
    """A time as people write it: "10am", "2:30pm", "2.30 pm", "14:30", "midday"; None if it is
    not one. A bare hour needs am or pm ("10" could be either)."""
    text = " ".join(typed.strip().lower().split())
    if text in NAMED_TIMES:
        return NAMED_TIMES[text]
    match = TIME_PATTERN.match(text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    suffix = (match[3] or "").replace(".", "")
    if minute > 59:
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match[2] is None or hour > 23:
        return None
    return datetime.time(hour, minute)


class DateTimeParts(forms.MultiWidget):
    """A date and time as day, month and year boxes and a time box ("10am", "2:30pm", "midday"),
    in GOV.UK's style, not the browser's date-time picker.

    The boxes come back as a list [day, month, year, time] for ``core.dates.DateTimePartsField``
    to read; an ISO date-time posted under the field's own name is read as it is.
    """

    template_name = "components/date_time_parts.html"
    PARTS = ("day", "month", "year", "time")

    def __init__(self, attrs=None):
        def part(width: str, maxlength: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "maxlength": maxlength,
                    "class": f"form-control date-part-{width}",
                }
            )

        time = forms.TextInput(attrs={"maxlength": 10, "class": "form-control date-part-time"})
        super().__init__(
            {"day": part("2", 2), "month": part("2", 2), "year": part("4", 4), "time": time},
            attrs,
        )

    def decompress(self, value):
        from django.utils import timezone

        from core.govuk import govuk_time

        if not value:
            return [None, None, None, None]
        if isinstance(value, str):
            try:
                value = datetime.datetime.fromisoformat(value)
            except ValueError:
                return [None, None, None, None]
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return [value.day, value.month, value.year, govuk_time(value)]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        return [str(data.get(f"{name}_{part}", "")).strip() for part in self.PARTS]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part in self.PARTS)

    @classmethod
    def wrong_parts(cls, value: object) -> list[str]:
        """The boxes that are wrong: those of the date (as DateParts finds them), and the time
        box when it is empty or not a time."""
        if not isinstance(value, (list, tuple)) or len(value) != 4 or not any(value):
            return []
        day, month, year, time = (str(part or "") for part in value)
        wrong = DateParts.wrong_parts(f"{year}-{month}-{day}")
        if not (day or month or year):
            wrong = list(DateParts.PARTS)
        if not wrong and parse_time(time) is None:  # one problem at a time, as the error says
            wrong.append("time")
        return wrong

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        wrong = set(self.wrong_parts(value))
        if wrong:
            for part, subwidget in zip(self.PARTS, context["widget"]["subwidgets"], strict=True):
                attrs = subwidget["attrs"] = dict(subwidget["attrs"])
                if part in wrong:  # the box that is wrong is marked, not the whole field
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                    attrs["aria-invalid"] = "true"
                else:
                    attrs.pop("aria-invalid", None)
        return context

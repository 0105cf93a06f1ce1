"""Widgets rendered in Python rather than through a template per option.

Django renders a <select> through one template per option, which dominates the cost of a list
page's filter bar; these produce the same HTML directly.
"""

import datetime

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
            for subwidget, typed in zip(subwidgets, (day, month, year), strict=True):
                subwidget["value"] = typed
        return context

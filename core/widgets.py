"""Widgets rendered in Python rather than through a template per option.

Django renders a <select> through one template per option, which dominates the cost of a list
page's filter bar; these produce the same HTML directly.
"""

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

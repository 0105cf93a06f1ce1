"""How every form in the portal is rendered: errors that say what to do (GOV.UK style).

Django's generic "This field is required." becomes "Enter the title", "Choose the decision" or
"Choose a file", from the field's own label, for every form at once: the renderer (settings
FORM_RENDERER) gives each form this bound field. A form's own message for a field is kept.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList

from .widgets import DateParts

GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])


def required_message(field: forms.Field, label: str) -> str:
    """What to do when ``field`` was left empty, in the words of its label."""
    thing = label if label[:2].isupper() else label[:1].lower() + label[1:]
    if isinstance(field, forms.FileField):
        return f"Choose a file for the {thing}"
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return f"Enter a date for “{label}”"
    if isinstance(field, forms.BooleanField):
        return f"Tick the box to confirm: {thing}"
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return f"Choose at least one of “{label}”"
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return f"Choose the {thing}"
    return f"Enter the {thing}"


GENERIC_INVALID_DATE = str(forms.DateField.default_error_messages["invalid"])


class GovukBoundField(BoundField):
    @property
    def errors(self) -> ErrorList:
        errors = super().errors
        if GENERIC_INVALID_DATE in errors and isinstance(self.field.widget, DateParts):
            # Which part is missing or wrong, in GOV.UK's words ("… must include a month").
            problem = DateParts.problem(self.value(), str(self.label or "The date"))
            if problem:
                named: list = [
                    problem if str(error) == GENERIC_INVALID_DATE else error for error in errors
                ]
                errors = self.form.error_class(named, renderer=self.form.renderer)
        if GENERIC_REQUIRED not in errors or not self.label:
            return errors
        specific = required_message(self.field, str(self.label))
        messages: list = [specific if str(error) == GENERIC_REQUIRED else error for error in errors]
        return self.form.error_class(
            messages,
            renderer=self.form.renderer,
        )


class GovukFormRenderer(DjangoTemplates):
    bound_field_class = GovukBoundField

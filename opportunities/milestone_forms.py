"""The form of a delivery milestone."""

from datetime import date

from django import forms

from core.concurrency import VersionedFormMixin
from core.dates import PlausibleDatesMixin

from .forms import DateInput
from .review_forms import within_years

MILESTONE_YEARS = 10


class MilestoneForm(VersionedFormMixin, PlausibleDatesMixin, forms.Form):
    """A milestone; the form carries the version of the milestone it was opened on ("none" for
    a new one)."""

    tighter_date_bounds = frozenset({"due_on"})  # within MILESTONE_YEARS, clean_due_on
    title = forms.CharField(
        max_length=200, help_text="A step in delivery the public can follow, e.g. “Staff moved”."
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the board's public pages: never confidential detail.",
    )
    due_on = forms.DateField(label="Due", widget=DateInput())
    percent_complete = forms.IntegerField(
        label="Per cent complete",
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100.",
        error_messages={
            "min_value": "Enter a number from 0 to 100.",
            "max_value": "Enter a number from 0 to 100.",
            "invalid": "Enter a whole number from 0 to 100.",
        },
    )

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_due_on(self) -> date:
        return within_years(self.cleaned_data["due_on"], MILESTONE_YEARS)

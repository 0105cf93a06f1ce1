"""Forms of the reviews: a review with the benefits realised per body, and the estimates."""

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from boards.models import Organisation
from core.concurrency import VersionedFormMixin
from core.dates import PlausibleDatesMixin

from .forms import DateInput
from .models import REVIEW_INTERVAL_MONTHS, Opportunity, Rag, add_months
from .review_services import BodyBenefit

NOT_NEGATIVE = "Enter an amount of £0 or more."


# How far from today an estimate's date, or a next review, may reasonably lie.
ESTIMATE_YEARS = 10
NEXT_REVIEW_YEARS = 5


def within_years(day: date, years: int) -> date:
    """``day``, if it lies within ``years`` of today either way; a form error otherwise."""
    today = timezone.localdate()
    if not add_months(today, -12 * years) <= day <= add_months(today, 12 * years):
        raise forms.ValidationError(f"Give a date within {years} years of today.")
    return day


class BodyBenefitForm(forms.Form):
    """One body's line: the body (fixed, hidden), cashable £ and non-cashable benefits."""

    organisation = forms.TypedChoiceField(
        coerce=int,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That body does not take part in this opportunity.",
            "required": "That body does not take part in this opportunity.",
        },
    )
    cashable = forms.DecimalField(
        label="Cashable (£)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": NOT_NEGATIVE},
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )
    non_cashable = forms.CharField(
        label="Non-cashable", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, bodies: dict[int, Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = bodies
        organisation = cast(forms.ChoiceField, self.fields["organisation"])
        organisation.choices = [(pk, body.name) for pk, body in bodies.items()]

    @property
    def body(self) -> Organisation | None:
        """The body this line is for, as the page offered it."""
        pk = self.initial.get("organisation")
        return self.bodies.get(pk) if pk is not None else None

    def line(self) -> BodyBenefit:
        data = self.cleaned_data
        return BodyBenefit(
            organisation=self.bodies[data["organisation"]],
            cashable=data.get("cashable") or Decimal(0),
            non_cashable=data.get("non_cashable", "").strip(),
        )


class BaseBodyBenefitFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every line names its body: a line beyond those the page offered (a changed form
        # count) is an error in the page, never a blank line that slips through.
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            pk = form.cleaned_data.get("organisation")
            if pk in seen:
                raise forms.ValidationError("Each body may be given only once.")
            seen.add(pk)

    def lines(self) -> list[BodyBenefit]:
        return [form.line() for form in self.forms]


# formset_factory makes a subclass of the formset class it is given.
BodyBenefitFormSet = cast(
    type[BaseBodyBenefitFormSet],
    forms.formset_factory(
        BodyBenefitForm, formset=BaseBodyBenefitFormSet, extra=0, validate_max=True
    ),
)


def body_benefit_formset(
    data, *, bodies: list[Organisation], prefix: str, initial: dict[int, dict] | None = None
) -> BaseBodyBenefitFormSet:
    """One line per body of the opportunity, in the order given."""
    initial = initial or {}
    formset = BodyBenefitFormSet(
        data,
        prefix=prefix,
        initial=[{"organisation": body.pk, **initial.get(body.pk, {})} for body in bodies],
        form_kwargs={"bodies": {body.pk: body for body in bodies}},
    )
    formset.max_num = len(bodies)
    return formset


class ReviewForm(VersionedFormMixin, PlausibleDatesMixin, forms.Form):
    """A review; it carries the version of the opportunity it was opened on."""

    tighter_date_bounds = frozenset({"next_review_on"})  # within NEXT_REVIEW_YEARS
    held_on = forms.DateField(label="Review held on", widget=DateInput())
    conclusion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Where the opportunity stands, what was decided, what happens next.",
    )
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices, widget=forms.RadioSelect)
    non_cashable_realised = forms.CharField(
        label="Non-cashable benefits realised (summary)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_review_on = forms.DateField(label="Next review", required=False, widget=DateInput())

    def __init__(self, *args, opportunity: Opportunity, last_held_on: date | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        self.last_held_on = last_held_on
        today = timezone.localdate()
        months = REVIEW_INTERVAL_MONTHS.get(opportunity.status)
        self.initial.setdefault("held_on", today)
        self.initial.setdefault("rag", opportunity.rag or None)
        if months:
            self.initial.setdefault("next_review_on", add_months(today, months))
        field = self.fields["next_review_on"]
        if opportunity.review_date_required:
            field.required = True
            field.help_text = (
                f"Required while the opportunity is {opportunity.status_label.lower()}."
            )
        else:
            field.help_text = "Leave empty when no further review is due."

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("The review cannot have been held in the future.")
        if self.last_held_on and held_on < self.last_held_on:
            raise forms.ValidationError(
                f"A later review, held on {self.last_held_on:%-d %B %Y}, is already recorded."
            )
        return held_on

    def clean_next_review_on(self) -> date | None:
        next_on = self.cleaned_data["next_review_on"]
        return next_on and within_years(next_on, NEXT_REVIEW_YEARS)

    def clean(self):
        cleaned = super().clean()
        held_on, next_on = cleaned.get("held_on"), cleaned.get("next_review_on")
        if held_on and next_on and next_on <= held_on:
            self.add_error("next_review_on", "The next review must come after this one.")
        return cleaned


class EstimatesForm(VersionedFormMixin, PlausibleDatesMixin, forms.Form):
    """Estimates; the form carries when the estimates it shows were set."""

    tighter_date_bounds = frozenset({"period_end"})  # within ESTIMATE_YEARS, clean_period_end
    period_end = forms.DateField(
        label="Benefits expected by",
        widget=DateInput(),
        help_text="The amounts are the total each body expects to have realised by this date.",
    )

    def __init__(self, *args, period_end: date | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("period_end", period_end or add_months(timezone.localdate(), 12))

    def clean_period_end(self) -> date:
        return within_years(self.cleaned_data["period_end"], ESTIMATE_YEARS)


class ReviewsFilterForm(forms.Form):
    """The board's reviews list: which reviews to show."""

    OVERDUE = "overdue"
    SOON = "soon"
    due = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "Overdue or due within 30 days"),
            (OVERDUE, "Overdue only"),
            (SOON, "Due within 30 days only"),
        ],
    )

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone

from boards.models import Board, BoardMembership, Organisation, User
from core.concurrency import VersionedFormMixin
from core.dates import EARLIEST_YEAR, LATEST_YEAR, PlausibleDatesMixin, validate_plausible_year
from core.markings import MarkingFormMixin
from core.uploads import check_upload
from core.widgets import DateParts, QuickSelect

from .models import Opportunity, Rag, Referral, Status, Theme


def DateInput() -> DateParts:
    """A date as day, month and year boxes (GOV.UK's pattern), never the browser's picker."""
    return DateParts()


class OpportunityForm(PlausibleDatesMixin, forms.ModelForm):
    """What a board member gives when proposing an opportunity."""

    participating_organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Participating bodies",
        help_text="The lead body always takes part.",
        required=False,
    )

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "summary",
            "theme",
            "lead_organisation",
            "participating_organisations",
            "non_cashable_benefits",
            "estimated_cost",
            "risks",
        ]
        widgets: dict[str, forms.Widget] = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "non_cashable_benefits": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }

    # The proposal asks each body's estimated cashable benefit (the one source of the figure:
    # per-body estimates); the secretariat's edit leaves estimates to their own page.
    asks_estimates = True

    def __init__(self, *args: Any, board: Board, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = board.active_bodies()
        cast(forms.ModelChoiceField, self.fields["lead_organisation"]).queryset = bodies
        cast(forms.ModelChoiceField, self.fields["participating_organisations"]).queryset = bodies
        self.fields["estimated_cost"].widget.attrs.update({"min": "0", "step": "0.01"})
        self.bodies = list(bodies) if self.asks_estimates else []
        for body in self.bodies:
            self.fields[self.estimate_field(body)] = forms.DecimalField(
                label=f"Estimated cashable benefit to {body.name} (£)",
                required=False,
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
                help_text="The savings this body can expect in total by the date below. Leave "
                "empty if not known or if it does not take part.",
            )
        if self.bodies:
            # Added after PlausibleDatesMixin bounded the form's own fields: bounded here.
            self.fields["benefits_by"] = forms.DateField(
                label="Benefits expected by",
                required=False,
                widget=DateInput(),
                validators=[validate_plausible_year],
                help_text="Leave empty for a year from now.",
            )
            self.fields["benefits_by"].widget.attrs.update(
                {"min": f"{EARLIEST_YEAR}-01-01", "max": f"{LATEST_YEAR}-12-31"}
            )

    @staticmethod
    def estimate_field(body: Organisation) -> str:
        return f"estimate_{body.pk}"

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("estimated_cost")
        if value is not None and value < 0:
            self.add_error("estimated_cost", "Enter an amount of £0 or more.")
        taking_part = {
            *cleaned.get("participating_organisations", ()),
            cleaned.get("lead_organisation"),
        }
        for body in self.bodies:
            name = self.estimate_field(body)
            amount = cleaned.get(name)
            if amount is not None and amount < 0:
                self.add_error(name, "Enter an amount of £0 or more.")
            elif amount is not None and body not in taking_part:
                self.add_error(
                    name,
                    f"{body.name} does not take part: tick it among the participating bodies, "
                    "or leave its estimate empty.",
                )
        by = cleaned.get("benefits_by")
        if by is not None and by <= timezone.localdate():
            self.add_error("benefits_by", "Give a date in the future.")
        return cleaned

    def estimates(self) -> dict[Organisation, Any]:
        """Each body's estimate given, by body."""
        return {
            body: self.cleaned_data[self.estimate_field(body)]
            for body in self.bodies
            if self.cleaned_data.get(self.estimate_field(body)) is not None
        }

    def opportunity_fields(self) -> dict[str, Any]:
        """The opportunity's own fields, without the participating bodies and the estimates."""
        own = set(self.Meta.fields) - {"participating_organisations"}
        return {name: value for name, value in self.cleaned_data.items() if name in own}


class AssessmentForm(VersionedFormMixin, OpportunityForm):
    """The secretariat's fuller edit: everything a member proposes, plus the assessment (the
    estimates per body have their own page, which keeps their history). It carries the version
    it was opened on, so it never overwrites a newer one."""

    asks_estimates = False

    class Meta(OpportunityForm.Meta):
        fields = [*OpportunityForm.Meta.fields, "owner", "rag", "next_review_on"]
        widgets = {
            **OpportunityForm.Meta.widgets,
            "next_review_on": DateInput(),
        }

    def __init__(self, *args: Any, board: Board, **kwargs: Any) -> None:
        super().__init__(*args, board=board, **kwargs)
        members = BoardMembership.objects.current().filter(board=board).values("person_id")
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = User.objects.filter(pk__in=members, is_active=True)
        cast(forms.ChoiceField, self.fields["rag"]).choices = [("", "Not rated"), *Rag.choices]

    def clean_next_review_on(self):
        value = self.cleaned_data.get("next_review_on")
        if value is None and self.instance.review_date_required:
            raise forms.ValidationError(
                f"An opportunity {self.instance.status_label.lower()} keeps a next review date."
            )
        return value


class TransitionForm(PlausibleDatesMixin, forms.Form):
    to = forms.ChoiceField(label="Move to", choices=())
    reason = forms.CharField(
        label="Reason (recorded on the timeline)",
        required=False,
        max_length=300,
        help_text="Required to put on hold, withdraw or close without delivery.",
    )
    revisit_on = forms.DateField(
        label="Revisit on (optional)",
        required=False,
        widget=DateInput(),
        help_text="When withdrawing or closing without delivery: when the board may look at "
        "it again. The review reminders will remind you.",
    )

    def __init__(
        self, *args: Any, choices: list[str], opportunity: Opportunity | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        to = cast(forms.ChoiceField, self.fields["to"])
        # Nothing is chosen for the person: a move is a deliberate act, never the default.
        to.choices = [("", "Choose a status"), *((value, Status(value).label) for value in choices)]

    def clean(self):
        cleaned = super().clean()
        to, reason = cleaned.get("to"), (cleaned.get("reason") or "").strip()
        needs_reason = self.opportunity is not None and self.opportunity.needs_reason_to_move_to
        if to and not reason and needs_reason and needs_reason(to):
            self.add_error(
                "reason", f"Give the reason for moving it to “{Status(to).label.lower()}”."
            )
        revisit = cleaned.get("revisit_on")
        if revisit and revisit <= timezone.localdate():
            self.add_error("revisit_on", "The date to revisit it must be in the future.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (kept on the record)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give the reason: it is kept on the record."},
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label="Ask a question on this referral",
        help_text="The board's secretariat answers here; the body's executives are told too.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the question."},
    )


class UploadMixin:
    """One optional supporting document, scanned for viruses and checked by its content
    (core.uploads)."""

    cleaned_data: dict[str, Any]

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload is None:
            return None
        self.document_kind = check_upload(upload)
        return upload

    def documents(self) -> list:
        upload = self.cleaned_data.get("document")
        return [(upload, self.document_kind)] if upload else []


def _document_help() -> str:
    limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
    return f"PDF, Word, Excel, PowerPoint or an image, up to {limit} MB."


class AnswerForm(UploadMixin, MarkingFormMixin, forms.Form):
    answer = forms.CharField(
        label="The secretariat's answer",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the answer."},
    )
    document = forms.FileField(label="Supporting document (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = _document_help()


class RecommendationForm(PlausibleDatesMixin, MarkingFormMixin, forms.Form):
    wording = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Recommendation",
        help_text="The board's recommendation, as agreed.",
    )
    agreed_on = forms.DateField(label="Date agreed by the board", widget=DateInput())
    decision_due_on = forms.DateField(label="Decisions due by", widget=DateInput())
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Refer to the executives of",
    )

    def __init__(
        self,
        *args: Any,
        opportunity: Opportunity,
        agreed_on: date | None = None,
        **kwargs: Any,
    ) -> None:
        """``agreed_on``: the date of the meeting where the board agreed it, when recorded from
        the meeting's agenda item."""
        super().__init__(*args, **kwargs)
        organisations = cast(forms.ModelChoiceField, self.fields["organisations"])
        organisations.queryset = opportunity.board.active_bodies()
        if agreed_on is not None and not self.is_bound:
            self.initial["agreed_on"] = agreed_on
        if not self.is_bound:
            self.initial.setdefault(
                "organisations",
                list(
                    opportunity.participating_organisations.filter(active=True).values_list(
                        "pk", flat=True
                    )
                ),
            )
            self.initial.setdefault("agreed_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        agreed, due = cleaned.get("agreed_on"), cleaned.get("decision_due_on")
        if agreed and agreed > timezone.localdate():
            self.add_error("agreed_on", "The date agreed cannot be in the future.")
        if agreed and due and due < agreed:
            self.add_error("decision_due_on", "Decisions cannot be due before the date agreed.")
        return cleaned


class DecisionForm(PlausibleDatesMixin, UploadMixin, MarkingFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[(value, Referral.Status(value).label) for value in Referral.DECISIONS],
    )
    reference = forms.CharField(
        label="Decision reference",
        max_length=100,
        help_text="e.g. the number of the Cabinet minute or the PCC decision record.",
    )
    notes = forms.CharField(
        label="Conditions or notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when approving with conditions or deferring.",
    )
    # What the decision notice records.
    decision_maker = forms.CharField(
        label="Decision taken by",
        required=False,
        max_length=200,
        help_text="The person who took the decision, e.g. the portfolio holder or the Chief "
        "Constable.",
    )
    decision_forum = forms.CharField(
        label="Taken at",
        required=False,
        max_length=200,
        help_text="The meeting or forum, e.g. Cabinet or the Commissioner's decision meeting.",
    )
    decision_taken_on = forms.DateField(
        label="Date of the decision",
        required=False,
        widget=DateInput(),
        help_text="Leave empty if it was taken today.",
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The conditions of an approval with conditions. Published with the decision "
        "on the board's public pages when they are on; the notes above stay internal.",
    )
    document = forms.FileField(
        label="Supporting document (optional)",
        required=False,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        self.fields["document"].help_text = (
            f"e.g. the minute or letter recording the decision: PDF, Word, Excel, PowerPoint "
            f"or an image, up to {limit} MB."
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        needs_notes = {
            Referral.Status.APPROVED_WITH_CONDITIONS: "Set out the conditions.",
            Referral.Status.DEFERRED: "Say what more information is needed.",
        }
        if outcome in needs_notes and not (
            (cleaned.get("notes") or "").strip()
            or (outcome == Referral.Status.APPROVED_WITH_CONDITIONS and cleaned.get("conditions"))
        ):
            self.add_error("notes", needs_notes[outcome])
        taken_on = cleaned.get("decision_taken_on")
        if taken_on and taken_on > timezone.localdate():
            self.add_error("decision_taken_on", "The date of the decision cannot be in the future.")
        return cleaned

    def notice_fields(self) -> dict[str, Any]:
        """What the decision notice records, for ``services.DecisionNoticeFields``."""
        return {
            "decision_maker": self.cleaned_data["decision_maker"].strip(),
            "decision_forum": self.cleaned_data["decision_forum"].strip(),
            "decision_taken_on": self.cleaned_data["decision_taken_on"] or timezone.localdate(),
            "reasons": self.cleaned_data["reasons"].strip(),
            "conditions": self.cleaned_data["conditions"].strip(),
        }


class OnBehalfForm(DecisionForm):
    """The secretariat records a decision a body took elsewhere, naming who took it."""

    decided_by = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Executive who took the decision",
        empty_label="(a person or forum, named below)",
    )

    def __init__(self, *args: Any, executives: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [person.pk for person in executives]
        decided_by = cast(forms.ModelChoiceField, self.fields["decided_by"])
        decided_by.queryset = User.objects.filter(pk__in=ids).order_by("full_name")
        self.fields["document"].label = "Evidence (optional)"
        self.fields["document"].help_text = (
            "The minute extract or signed decision record: " + _document_help()
        )
        self.fields[
            "decision_forum"
        ].help_text = "e.g. Cabinet or the Commissioner's decision meeting."
        self.fields[
            "decision_taken_on"
        ].help_text = (
            "The day the body took it, which may be before today. Leave empty if it was today."
        )
        self.order_fields(
            [
                "decided_by",
                "decision_maker",
                "decision_forum",
                "decision_taken_on",
                "outcome",
                "reference",
                "reasons",
                "conditions",
                "notes",
                "document",
            ]
        )

    def clean(self):
        cleaned = super().clean()
        named = (cleaned.get("decision_maker") or "").strip() or (
            cleaned.get("decision_forum") or ""
        ).strip()
        if not cleaned.get("decided_by") and not named:
            self.add_error(
                "decision_forum", "Name the executive or the forum that took the decision."
            )
        return cleaned


class RecommendationPaperForm(MarkingFormMixin, forms.Form):
    """A paper to send with a recommendation, checked by its content like a meeting's papers."""

    title = forms.CharField(label="Title of the paper", max_length=300)
    file = forms.FileField(label="File")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        self.fields[
            "file"
        ].help_text = f"PDF, Word, Excel, PowerPoint or an image, up to {limit} MB."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = check_upload(upload)
        return upload


def _filter_select() -> QuickSelect:
    return QuickSelect(attrs={"class": "form-select"})


class RegisterFilterForm(forms.Form):
    SORTS = {
        "-updated": ("-updated_at", "Recently updated"),
        "reference": ("pk", "Reference"),
        "title": ("title", "Title"),
        "review": ("next_review_on", "Next review"),
        "status": ("status", "Status"),
    }
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Status.choices],
        widget=_filter_select(),
    )
    theme = forms.ChoiceField(
        label="Theme",
        required=False,
        choices=[("", "Any theme"), *Theme.choices],
        widget=_filter_select(),
    )
    lead = forms.TypedChoiceField(
        label="Lead body", required=False, coerce=int, empty_value=None, widget=_filter_select()
    )
    body = forms.TypedChoiceField(
        label="Participating body",
        required=False,
        coerce=int,
        empty_value=None,
        widget=_filter_select(),
    )
    rag = forms.ChoiceField(
        label="RAG",
        required=False,
        choices=[("", "Any rating"), *Rag.choices],
        widget=_filter_select(),
    )
    review = forms.ChoiceField(
        label="Review",
        required=False,
        choices=[("", "Any"), ("overdue", "Review overdue"), ("30", "Due within 30 days")],
        widget=_filter_select(),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        widget=_filter_select(),
    )

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = [("", "Any body"), *((o.pk, o.name) for o in organisations)]
        cast(forms.ChoiceField, self.fields["lead"]).choices = bodies
        cast(forms.ChoiceField, self.fields["body"]).choices = bodies
        self.fields["q"].widget.attrs["class"] = "form-control"

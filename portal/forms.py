from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from audit.selectors import EVENT_KINDS, audited_object_types
from core.dates import PlausibleDatesMixin
from core.signing import looks_like_pdf
from core.uploads import scan_for_viruses
from core.widgets import DateParts


class AuditSearchForm(PlausibleDatesMixin, forms.Form):
    """The audit search's filters; each is optional."""

    who = forms.CharField(
        required=False,
        max_length=100,
        label="Who",
        help_text="Part of a name or e-mail address, or the sign-in name that was tried.",
    )
    kind = forms.ChoiceField(required=False, label="What")
    since = forms.DateField(required=False, label="From", widget=DateParts())
    until = forms.DateField(required=False, label="To", widget=DateParts())
    subject_type = forms.ModelChoiceField(
        queryset=ContentType.objects.none(),
        required=False,
        label="Kind of object",
        empty_label="Any",
    )
    subject_id = forms.IntegerField(
        required=False, min_value=1, label="Object number", help_text="e.g. the meeting's number"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Anything"), *((k, v[0]) for k, v in EVENT_KINDS.items())]
        subject_type = self.fields["subject_type"]
        assert isinstance(subject_type, forms.ModelChoiceField)
        subject_type.queryset = audited_object_types()
        subject_type.label_from_instance = lambda ct: ct.name.capitalize()
        for name, field in self.fields.items():
            if isinstance(field.widget, DateParts):
                continue  # its boxes carry their own classes
            css = "form-select" if name in ("kind", "subject_type") else "form-control"
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The “to” date must be the same as or after the “from” date.")
        return cleaned


class DocumentVerifyForm(forms.Form):
    """A PDF to check: at most VERIFY_MAX_MB, and a PDF by its content (not its name)."""

    document = forms.FileField(
        label="PDF to check",
        help_text="Minutes, a decision notice or an annual report downloaded from the portal.",
        error_messages={
            "required": "Choose the PDF to check.",
            "empty": "The file is empty: choose the PDF to check.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs.update(
            {"class": "form-control", "accept": "application/pdf,.pdf"}
        )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        limit = settings.VERIFY_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {settings.VERIFY_MAX_MB} MB: no PDF the portal issues "
                "is that large."
            )
        scan_for_viruses(upload)
        content = upload.read(limit + 1)
        if not looks_like_pdf(content):
            raise forms.ValidationError(
                "This file is not a PDF. Choose the PDF as it was downloaded from the portal."
            )
        return bytes(content)

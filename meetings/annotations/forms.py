from django import forms

from core.concurrency import VersionedFormMixin

from .models import BODY_MAX, QUOTE_MAX, PaperNote

PAGE_MAX = 10000


class NoteForm(forms.ModelForm):
    """A new note: from the viewer (the selected text and where it is), or typed in the form
    on the paper's page by someone not using the viewer."""

    page = forms.IntegerField(
        label="Page", min_value=1, max_value=PAGE_MAX, help_text="The page of the paper."
    )
    quote = forms.CharField(
        label="The words you are noting (optional)",
        required=False,
        max_length=QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label="Your note", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_offset = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    end_offset = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    class Meta:
        model = PaperNote
        fields = ["page", "quote", "body", "shared", "start_offset", "end_offset"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_offset"), cleaned.get("end_offset")
        if (start is None) != (end is None) or (start is not None and end < start):
            raise forms.ValidationError(
                "The highlight could not be placed: select the text again, then add your note."
            )
        return cleaned


class NoteEditForm(VersionedFormMixin, forms.ModelForm):
    body = forms.CharField(
        label="Your note", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = PaperNote
        fields = ["body", "shared"]

from functools import partial
from typing import Any, cast

from django import forms

from core.concurrency import VersionedFormMixin
from core.dates import PlausibleDatesMixin
from core.exceptions import Refused
from core.outbound import check_web_address
from core.uploads import scan_for_viruses
from core.widgets import DateParts
from meetings.models import ExemptParagraph

from .calendars import MAX_CALENDAR_BYTES
from .models import DecisionForum, ForumMeeting


class ForumForm(VersionedFormMixin, forms.ModelForm):
    """A body's decision forum, new or changed."""

    class Meta:
        model = DecisionForum
        fields = ["organisation", "name", "decision_maker", "notice_days", "calendar_url"]
        labels = {"organisation": "Body"}
        field_classes = {"calendar_url": partial(forms.URLField, assume_scheme="https")}

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        if self.instance.pk:
            # A forum stays with its body: its meetings and plan entries are that body's.
            self.fields["organisation"].disabled = True

    def clean_calendar_url(self) -> str:
        url: str = self.cleaned_data.get("calendar_url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter an address starting with http:// or https://.")
        if url:
            try:
                check_web_address(url)
            except Refused as refused:
                raise forms.ValidationError(refused.message) from refused
        return url

    def clean_notice_days(self) -> int:
        days: int = self.cleaned_data["notice_days"]
        if days > 365:
            raise forms.ValidationError("Enter a notice period of at most 365 days.")
        return days


class ForumMeetingForm(PlausibleDatesMixin, VersionedFormMixin, forms.Form):
    date = forms.DateField(widget=DateParts, label="Date of the meeting")
    time = forms.TimeField(
        required=False,
        label="Time (optional)",
        help_text="24-hour clock, for example 10:00 or 14:30.",
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "form-control w-auto"}),
    )
    location = forms.CharField(required=False, max_length=255, label="Place (optional)")
    cancelled = forms.BooleanField(required=False, label="This meeting is cancelled")


class CalendarUploadForm(forms.Form):
    calendar_file = forms.FileField(
        label="iCalendar file (.ics)",
        help_text="The file of meeting dates the body publishes, at most 2 MB.",
    )

    def clean_calendar_file(self) -> bytes:
        upload = self.cleaned_data["calendar_file"]
        if upload.size > MAX_CALENDAR_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB: choose the .ics file.")
        scan_for_viruses(upload)
        content: bytes = upload.read()
        return content


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.forum.name}, {obj.date:%-d %B %Y}"


class PlanEntryForm(VersionedFormMixin, forms.Form):
    forum_meeting = MeetingChoiceField(
        queryset=ForumMeeting.objects.none(),
        label="Meeting where the body decides it",
        empty_label="Choose a meeting",
    )
    key_decision = forms.BooleanField(
        required=False,
        label="This is a key decision",
        help_text="Key decisions need 28 clear days' notice on the forward plan.",
    )
    private = forms.BooleanField(required=False, label="It will be taken in private")
    exempt_paragraph = forms.TypedChoiceField(
        choices=[("", "Not taken in private"), *ExemptParagraph.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Exempt paragraph (Schedule 12A)",
        help_text="Why it is taken in private. Only the paragraph is ever shown publicly.",
    )

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MeetingChoiceField, self.fields["forum_meeting"]).queryset = meetings

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("private") and cleaned.get("exempt_paragraph") is None:
            self.add_error(
                "exempt_paragraph", "Choose the paragraph that allows taking it in private."
            )
        if not cleaned.get("private") and cleaned.get("exempt_paragraph") is not None:
            self.add_error(
                "exempt_paragraph",
                "Choose a paragraph only for a decision taken in private (tick the box above).",
            )
        return cleaned

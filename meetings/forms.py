"""Forms for meetings. They validate; the services in services.py act."""

from functools import partial
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from boards.models import User
from boards.selectors import board_people, invitable_people
from core.concurrency import VersionedFormMixin
from core.dates import PlausibleDatesMixin
from core.uploads import detect_kind

from .models import Action, AgendaItem, Meeting, MeetingInvitation, Paper
from .selectors import open_business

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "venue", "online_link"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}
        field_classes = {"online_link": partial(forms.URLField, assume_scheme="https")}
        labels = {"starts_at": "Starts", "ends_at": "Ends"}
        help_texts = {"starts_at": "Date and time, UK time.", "ends_at": "Date and time, UK time."}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The meeting must end after it starts.")
        if not data.get("venue") and not data.get("online_link"):
            raise ValidationError("Give a venue, an online meeting link, or both.")
        return data


class MeetingEditForm(VersionedFormMixin, MeetingForm):
    """A meeting's details, carrying the version they were opened on."""


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for cancelling",
        help_text="Every invitee is told this reason in the cancellation e-mail.",
        max_length=1000,
    )


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        choices=[
            c for c in MeetingInvitation.Reply.choices if c[0] != MeetingInvitation.Reply.NO_REPLY
        ],
        widget=forms.RadioSelect,
        label="Your reply",
    )
    substitute_name = forms.CharField(
        max_length=150,
        required=False,
        label="Substitute's name and role",
        help_text="Only if you are sending a substitute.",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("reply") == MeetingInvitation.Reply.SUBSTITUTE
            and not data.get("substitute_name", "").strip()
        ):
            self.add_error("substitute_name", "Name the person you are sending in your place.")
        return data


class PersonChoiceField(forms.ModelChoiceField):
    """A person, named with the body they belong to."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.organisation.short_name if obj.organisation else 'no body'})"


class InviteeForm(forms.Form):
    """The person to invite: picked from the board's people (its current members and the
    people of its member bodies), or anyone else found by their exact e-mail address. Other
    boards' people are never listed."""

    person = PersonChoiceField(
        queryset=User.objects.none(),
        label="Person to invite",
        empty_label="Choose a person",
        required=False,
        help_text="A guest, or a member who joined the board after the meeting was scheduled.",
    )
    email = forms.EmailField(
        label="Or their e-mail address",
        required=False,
        help_text="For a guest from outside the board's bodies: their exact e-mail address.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        cast(PersonChoiceField, self.fields["person"]).queryset = (
            invitable_people(meeting.board)
            .exclude(meeting_invitations__meeting=meeting)
            .select_related("organisation")
            .order_by("full_name")
        )

    def clean(self):
        data = super().clean()
        person, email = data.get("person"), data.get("email")
        if self.errors:
            return data
        if bool(person) == bool(email):
            raise ValidationError("Choose a person from the list, or give an e-mail address.")
        if email:
            data["person"] = self._person_by_email(email)
        return data

    def _person_by_email(self, email: str) -> User:
        found = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if found is None:
            raise ValidationError(
                "No one signs in to the portal with this e-mail address. Check it, or invite "
                "them to the portal first from the board's page."
            )
        if found.meeting_invitations.filter(meeting=self.meeting).exists():
            raise ValidationError(f"{found.full_name} is already invited.")
        return found


class AgendaItemForm(VersionedFormMixin, forms.ModelForm):
    """An agenda item, new or changed; it carries the version it was opened on."""

    opportunity_reference = forms.CharField(
        label="Linked opportunity (optional)",
        required=False,
        max_length=20,
        help_text="Its reference in the register, e.g. BLC-0012.",
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "description", "presenter", "confidential"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.opportunity_id:
            self.initial["opportunity_reference"] = self.instance.opportunity.reference

    def clean_opportunity_reference(self) -> str:
        from opportunities.models import Opportunity

        text = self.cleaned_data["opportunity_reference"].strip()
        if not text:
            self.instance.opportunity = None
            return ""
        number = text.upper().removeprefix("BLC-").removeprefix("BLC").lstrip("0")
        opportunity = (
            Opportunity.objects.filter(
                pk=int(number), board_id=self.instance.meeting.board_id
            ).first()
            if number.isascii() and number.isdigit()
            else None
        )
        if opportunity is None:
            raise forms.ValidationError(
                f"There is no opportunity {text} in this board's register. Check the reference "
                "on the register page."
            )
        self.instance.opportunity = opportunity
        return opportunity.reference


class PaperUploadForm(forms.Form):
    title = forms.CharField(max_length=300, label="Title of the paper")
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        empty_label="The meeting as a whole",
    )
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, Excel or PowerPoint document, or an image.",
    )

    def __init__(
        self, *args: Any, meeting: Meeting, with_title: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agenda_item"]).queryset = meeting.items.all()
        if not with_title:
            del self.fields["title"]
            del self.fields["agenda_item"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = detect_kind(upload)
        return upload


class AttendanceForm(forms.Form):
    """One choice per invitee, named by the invitation's id."""

    def __init__(self, *args, invitations: list[MeetingInvitation], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            self.fields[f"attendance_{invitation.pk}"] = forms.ChoiceField(
                choices=MeetingInvitation.Attendance.choices,
                initial=invitation.attendance,
                label=f"Attendance of {invitation.person.full_name}",
            )

    def rows(self):
        for invitation in self.invitations:
            yield invitation, self[f"attendance_{invitation.pk}"]

    def attendance(self) -> dict[int, str]:
        return {
            invitation.pk: self.cleaned_data[f"attendance_{invitation.pk}"]
            for invitation in self.invitations
        }


class DeclarationForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Who declares", empty_label="Choose the invitee"
    )
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        empty_label="The meeting as a whole",
    )
    nature = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Nature of the interest", max_length=2000
    )

    def __init__(
        self,
        *args: Any,
        meeting: Meeting,
        for_anyone: bool,
        confidential_ok: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the business the declarer may see: exempt items are not even named to others.
        items = open_business(meeting.items.all(), confidential_ok=confidential_ok, item="")
        cast(forms.ModelChoiceField, self.fields["agenda_item"]).queryset = items
        if for_anyone:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = User.objects.filter(
                meeting_invitations__meeting=meeting
            ).order_by("full_name")
        else:
            del self.fields["person"]


class MinutesForm(VersionedFormMixin, forms.Form):
    """An item's minutes, carrying the version of the item they were opened on."""

    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), required=False, label="Minutes of this item"
    )


class ActionForm(PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_on", "agenda_item"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"due_on": "Due by", "agenda_item": "Agenda item"}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agenda_item = cast(forms.ModelChoiceField, self.fields["agenda_item"])
        agenda_item.queryset = meeting.items.all()
        agenda_item.empty_label = "The meeting as a whole"
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.empty_label = "Choose the person"
        # Current members of the board and the meeting's guests: never someone who has left.
        owner.queryset = (
            User.objects.filter(
                Q(meeting_invitations__meeting=meeting, meeting_invitations__is_guest=True)
                | Q(pk__in=board_people(meeting.board).values("pk")),
                is_active=True,
            )
            .distinct()
            .order_by("full_name")
        )


class ActionStatusForm(VersionedFormMixin, forms.Form):
    """An action's status, carrying the version of the action the page showed."""

    status = forms.ChoiceField(choices=Action.Status.choices, label="Status")


class MeetingPapersChoiceForm(forms.Form):
    """Papers of the meeting at which a recommendation was agreed, to send with it: open business
    only, since an executive need not be entitled to the board's exempt papers."""

    papers = forms.ModelMultipleChoiceField(
        queryset=Paper.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Papers to send with the recommendation",
        error_messages={"required": "Choose at least one paper."},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["papers"])
        field.queryset = open_business(
            meeting.papers.filter(current_version__isnull=False), confidential_ok=False
        ).select_related("current_version")
        field.label_from_instance = _paper_label  # type: ignore[method-assign,assignment]


def _paper_label(paper: Paper) -> str:
    version = paper.current_version
    if version is None:
        return paper.title
    return f"{paper.title} ({version.original_name}, version {version.number})"

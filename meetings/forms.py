"""Forms for meetings. They validate; the services in services.py act."""

from functools import partial
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from boards.models import BoardMembership, Organisation, User
from boards.selectors import board_people, invitable_people
from core.concurrency import VersionedFormMixin
from core.dates import DateTimePartsField, PlausibleDatesMixin
from core.markings import MARKING_FIELDS, MarkingFormMixin
from core.uploads import check_upload
from core.widgets import DateParts

from .models import (
    Action,
    AgendaItem,
    ExemptParagraph,
    Meeting,
    MeetingInvitation,
    Paper,
    RegisteredInterest,
    Resolution,
    Vote,
)
from .permissions import EXEMPT_ROLES
from .selectors import open_business

Role = BoardMembership.Role


class MeetingForm(PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "venue", "online_link"]
        field_classes = {
            "online_link": partial(forms.URLField, assume_scheme="https"),
            "starts_at": partial(DateTimePartsField, time_name="start"),
            "ends_at": partial(DateTimePartsField, time_name="end"),
        }
        labels = {"starts_at": "Starts", "ends_at": "Ends"}
        help_texts = {
            "starts_at": "For example, 15 12 2026 and 10am, 2:30pm or midday (UK time).",
            "ends_at": "For example, 15 12 2026 and midday, 4pm or 16:00 (UK time).",
        }

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
        help_text="Every invitee is told this reason in the cancellation email; when the board's "
        "public pages are on, it is published with the meeting's date.",
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


class ReplyRecordForm(ReplyForm):
    """The reply the secretariat was given for an invitee. A substitute named with an e-mail
    address is invited to this one meeting as a guest: its Part 1 papers only."""

    substitute_email = forms.EmailField(
        required=False,
        label="Substitute's e-mail address",
        help_text="Gives the substitute this meeting's Part 1 papers, and nothing else, until "
        "the day after the meeting.",
    )

    def __init__(self, *args: Any, invitation: MeetingInvitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["substitute_name"].label = "Substitute's name and role"
        self.fields["substitute_name"].help_text = "Only if the body is sending a substitute."

    def clean(self):
        data = super().clean()
        email = (data.get("substitute_email") or "").strip()
        if data.get("reply") != MeetingInvitation.Reply.SUBSTITUTE:
            data["substitute_email"] = ""
        elif email and email.lower() == self.invitation.person.email.lower():
            self.add_error(
                "substitute_email",
                "That is the member's own e-mail address: enter the substitute's.",
            )
        return data


class PersonChoiceField(forms.ModelChoiceField):
    """A person, named with the body they belong to (in full: an option cannot hold an
    abbreviation's expansion)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.organisation.name if obj.organisation else 'no body'})"


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
        fields = [
            "title",
            "description",
            "presenter",
            "confidential",
            "exempt_paragraph",
            "marking",
            "marking_descriptors",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "exempt_paragraph": "Needed for exempt business: the public agenda shows the item "
            "as “exempt — paragraph N” in place of its title.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An item's marking, once it is on the agenda, is changed on its marking page
            # (audit.marking_changes): kept in its trail, refused over a newer change, and
            # followed by what holds the item. This form never saves it.
            for name in MARKING_FIELDS:
                del self.fields[name]
        else:
            # Sent without a marking, a new item takes the body's default.
            self.fields["marking"].required = False
        if self.instance.opportunity_id:
            self.initial["opportunity_reference"] = self.instance.opportunity.reference
        cast(forms.TypedChoiceField, self.fields["exempt_paragraph"]).choices = [
            ("", "Not exempt"),
            *ExemptParagraph.choices,
        ]

    def clean(self):
        data = super().clean()
        if data.get("confidential") and not data.get("exempt_paragraph"):
            self.add_error(
                "exempt_paragraph",
                "Choose the paragraph of Schedule 12A that makes this item exempt.",
            )
        if not data.get("confidential") and data.get("exempt_paragraph"):
            self.add_error(
                "confidential",
                "Tick “confidential” for an exempt item, or set the paragraph to “Not exempt”.",
            )
        return data

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

    def clean_marking(self) -> str:
        return self.cleaned_data.get("marking") or self.instance.marking


class PaperUploadForm(MarkingFormMixin, forms.Form):
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
        self.kind = check_upload(upload)
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


class EntryChoiceField(forms.ModelChoiceField):
    """An entry of a register of interests, named with its person when several people's are
    offered."""

    with_names = False

    def label_from_instance(self, obj: Any) -> str:
        text = obj.description[:100]
        return f"{obj.person.full_name}: {text}" if self.with_names else text


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
    register_entry = EntryChoiceField(
        queryset=RegisteredInterest.objects.none(),
        required=False,
        label="From the register of interests",
        empty_label="Not in the register (describe it below)",
        help_text="Choose an entry to declare it as registered; the description is taken from "
        "it if you leave the nature blank.",
    )
    nature = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Nature of the interest",
        max_length=2000,
        required=False,
    )
    disqualifying = forms.BooleanField(
        required=False,
        label="Disqualifying: the member takes no part in this item",
        help_text="They leave for the item: they do not vote on it and do not count towards "
        "its quorum.",
    )

    def __init__(
        self,
        *args: Any,
        meeting: Meeting,
        for_anyone: bool,
        confidential_ok: bool,
        admitted: frozenset[int] = frozenset(),
        declarer: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        day = timezone.localtime(meeting.starts_at).date()
        entries = RegisteredInterest.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day
        ).select_related("person")
        entries = (
            entries.filter(person__meeting_invitations__meeting=meeting)
            if for_anyone
            else entries.filter(person=declarer)
        )
        entry_field = cast(EntryChoiceField, self.fields["register_entry"])
        entry_field.queryset = entries.order_by("person__full_name", "-starts_on")
        entry_field.with_names = for_anyone
        # Only the business the declarer may see: exempt items are not even named to others.
        items = open_business(
            meeting.items.all(), confidential_ok=confidential_ok, item="", admitted=admitted
        )
        cast(forms.ModelChoiceField, self.fields["agenda_item"]).queryset = items
        if for_anyone:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = User.objects.filter(
                meeting_invitations__meeting=meeting
            ).order_by("full_name")
        else:
            del self.fields["person"]
        self.declarer = declarer

    def clean(self):
        data = super().clean()
        entry = data.get("register_entry")
        person = data.get("person", self.declarer)
        if entry is not None and person is not None and entry.person_id != person.pk:
            self.add_error("register_entry", "Choose an entry from the declarer's own register.")
        if entry is not None and not (data.get("nature") or "").strip():
            data["nature"] = entry.description
        if not (data.get("nature") or "").strip():
            self.add_error("nature", "Describe the interest, or choose it from the register.")
        if data.get("disqualifying") and not data.get("agenda_item"):
            self.add_error(
                "disqualifying", "A disqualifying interest is declared at an agenda item."
            )
        return data


class InterestForm(PlausibleDatesMixin, forms.ModelForm):
    """An entry in one's own register of interests."""

    class Meta:
        model = RegisteredInterest
        fields = ["category", "description", "starts_on", "ends_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateParts(),
            "ends_on": DateParts(),
        }
        help_texts = {"ends_on": "Leave blank while the interest continues."}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The interest cannot end before it starts.")
        return data


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
            "due_on": DateParts(),
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
    progress = forms.CharField(
        required=False, max_length=2000, label="Progress note", widget=forms.Textarea
    )


class AdmissionForm(forms.Form):
    """Admit a named invitee who does not see exempt business to one exempt item."""

    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), label="Exempt item", empty_label="Choose the item"
    )
    person = PersonChoiceField(
        queryset=User.objects.none(),
        label="Person to admit",
        empty_label="Choose the invitee",
        help_text="Guests and observers invited to this meeting; members and advisers see "
        "exempt business already.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agenda_item"]).queryset = meeting.items.filter(
            confidential=True
        )
        entitled = BoardMembership.objects.current().filter(
            board=meeting.board, role__in=EXEMPT_ROLES | {BoardMembership.Role.SECRETARIAT}
        )
        outside = meeting.invitations.filter(
            Q(is_guest=True) | ~Q(person__in=entitled.values("person"))
        )
        cast(PersonChoiceField, self.fields["person"]).queryset = (
            User.objects.filter(pk__in=outside.values("person"))
            .select_related("organisation")
            .order_by("full_name")
        )


class ResolutionForm(PlausibleDatesMixin, forms.Form):
    """What the chair put and how it was resolved. One vote field per member who may vote
    (``vote_<person id>``), used for a recorded vote; totals for a show of hands."""

    wording = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="The resolution",
        help_text="As the chair put it, e.g. “To recommend BLC-0014 to the four executives.”",
        max_length=4000,
    )
    kind = forms.ChoiceField(choices=Resolution.Kind.choices, label="Kind of resolution")
    put_by = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Put by", empty_label="Choose who chaired the item"
    )
    method = forms.ChoiceField(
        choices=Resolution.Method.choices, widget=forms.RadioSelect, label="How it was resolved"
    )
    votes_for = forms.IntegerField(min_value=0, max_value=500, required=False, label="For")
    votes_against = forms.IntegerField(min_value=0, max_value=500, required=False, label="Against")
    abstentions = forms.IntegerField(
        min_value=0, max_value=500, required=False, label="Abstentions"
    )
    casting_vote = forms.ChoiceField(
        choices=Resolution.Casting.choices,
        required=False,
        label="The chair's casting vote",
        help_text="Only when the votes are tied.",
    )
    decision_due_on = forms.DateField(
        required=False,
        label="Executives' decisions due by",
        help_text="For a resolution to recommend.",
        widget=DateParts(),
    )
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Refer to the executives of",
    )

    def __init__(
        self, *args: Any, item: AgendaItem, voters: list[MeetingInvitation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        meeting = item.meeting
        self.voters = voters
        chairs = BoardMembership.objects.current().filter(
            board=meeting.board, role__in=[Role.CHAIR, Role.VICE_CHAIR]
        )
        cast(forms.ModelChoiceField, self.fields["put_by"]).queryset = User.objects.filter(
            meeting_invitations__meeting=meeting
        ).order_by("full_name")
        chair = chairs.filter(role=Role.CHAIR).values_list("person_id", flat=True).first()
        self.initial.setdefault("put_by", chair)
        if item.opportunity is None:
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = [(Resolution.Kind.GENERAL, "Resolution")]
            for name in ("decision_due_on", "organisations"):
                del self.fields[name]
        else:
            opportunity = item.opportunity
            organisations = cast(forms.ModelChoiceField, self.fields["organisations"])
            organisations.queryset = opportunity.board.active_bodies()
            self.initial.setdefault(
                "organisations",
                list(opportunity.participating_organisations.values_list("pk", flat=True)),
            )
        for invitation in voters:
            self.fields[f"vote_{invitation.person_id}"] = forms.ChoiceField(
                choices=[("", "Did not vote"), *Vote.Choice.choices],
                required=False,
                label=f"Vote of {invitation.person.full_name}",
            )

    def clean(self):
        data = super().clean()
        method = data.get("method")
        Method = Resolution.Method
        if method == Method.SHOW_OF_HANDS and not any(
            data.get(name) for name in ("votes_for", "votes_against", "abstentions")
        ):
            self.add_error("votes_for", "Give the number of votes for, against and abstaining.")
        if method == Method.RECORDED and not self.votes():
            raise ValidationError("Record at least one member's vote, or choose consensus.")
        if (
            data.get("kind") == Resolution.Kind.RECOMMEND
            and "decision_due_on" in self.fields
            and not data.get("decision_due_on")
        ):
            self.add_error("decision_due_on", "Give the date the executives' decisions are due.")
        if data.get("kind") == Resolution.Kind.RECOMMEND and not data.get("organisations"):
            self.add_error("organisations", "Choose at least one body to refer it to.")
        return data

    def votes(self) -> dict[int, str]:
        return {
            invitation.person_id: self.cleaned_data[f"vote_{invitation.person_id}"]
            for invitation in self.voters
            if self.cleaned_data.get(f"vote_{invitation.person_id}")
        }

    def totals(self) -> tuple[int, int, int]:
        return (
            self.cleaned_data.get("votes_for") or 0,
            self.cleaned_data.get("votes_against") or 0,
            self.cleaned_data.get("abstentions") or 0,
        )


class GuestInviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="E-mail address")
    job_title = forms.CharField(max_length=200, required=False, label="Job title (optional)")


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

from django import forms

from boards.models import Board, Organisation
from boards.permissions import Person
from core.exceptions import Refused
from core.outbound import check_web_address

from .models import Delivery, Notification
from .permissions import WEBHOOK_OF_EVERY_BOARD, can_manage_webhook, deliveries_allowed
from .selectors import notification_preferences_of

Kind = Notification.Kind

# The kinds of notice, as the preferences page groups them.
SECTIONS = [
    (
        "Recommendations and decisions",
        [
            Kind.REFERRAL_SENT,
            Kind.DECISION_DUE,
            Kind.DECISION_OVERDUE,
            Kind.DECISION_RECORDED,
            Kind.OUTCOME_KNOWN,
            Kind.REFERRAL_CLOSED,
            Kind.CLARIFICATION,
            Kind.DECISION_ON_BEHALF,
            Kind.DECISION_DISPUTED,
            Kind.PROPOSAL_NEW,
        ],
    ),
    (
        "Meetings",
        [
            Kind.REPLY_OWED,
            Kind.PAPERS_PUBLISHED,
            Kind.SIGN_OFF_WITHDRAWN,
            Kind.MINUTES_DRAFTED,
            Kind.MINUTES_APPROVED,
            Kind.ACTION_DUE,
            Kind.ACTION_OVERDUE,
        ],
    ),
    ("Reviews of opportunities", [Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE]),
]
EXECUTIVE_HELP = (
    "You decide for your body, so these reach you by email: straight away or in the daily "
    "digest, not only in the portal."
)


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notice: email at once, the daily digest, or the centre only."""

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        current = notification_preferences_of(person)
        for kind in Kind:
            field = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=current[kind],
                error_messages={"required": "Choose how you want to hear of these."},
            )
            if Delivery.PORTAL not in deliveries_allowed(person, kind):
                field.help_text = EXECUTIVE_HELP
            self.fields[kind.value] = field

    def clean(self):
        cleaned = super().clean()
        for kind, delivery in list(cleaned.items()):
            if delivery not in deliveries_allowed(self.person, kind):
                self.add_error(
                    kind,
                    "You decide for your body, so you cannot turn these emails off: choose "
                    "straight away or the daily digest.",
                )
        return cleaned

    def sections(self):
        """(heading, bound fields) for each group of kinds on the page."""
        placed = {kind for _, kinds in SECTIONS for kind in kinds}
        rest = [kind for kind in Kind if kind not in placed]
        groups = SECTIONS + ([("Other notices", rest)] if rest else [])
        return [(heading, [self[kind.value] for kind in kinds]) for heading, kinds in groups]

    @property
    def has_executive_duty(self) -> bool:
        return any(Delivery.PORTAL not in deliveries_allowed(self.person, k) for k in Kind)


class WebhookForm(forms.Form):
    """The address a body's case system is told at when a referral awaits the body."""

    organisation = forms.ModelChoiceField(
        label="Body",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the board's bodies."},
    )
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        help_text="The address of the body's case system that receives the POST, e.g. "
        "https://cases.example.gov.uk/hooks/blue-light.",
        error_messages={
            "required": "Enter the address of the body's case system.",
            "invalid": "Enter a web address starting with https://.",
        },
    )

    def __init__(self, *args, board: Board, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = board.organisations.order_by("name")

    def clean_organisation(self) -> Organisation:
        organisation = self.cleaned_data["organisation"]
        if not can_manage_webhook(self.person, organisation):
            raise forms.ValidationError(WEBHOOK_OF_EVERY_BOARD.format(body=organisation.name))
        return organisation

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_web_address(url)
        except Refused as refused:
            raise forms.ValidationError(refused.message) from refused
        return url

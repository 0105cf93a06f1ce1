import logging
import uuid
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.http import HttpRequest

from core.client_address import client_ip
from core.ratelimit import over_limit
from core.usernames import normalise_username

from .models import Board, BoardMembership, Organisation, User
from .signals import email_request

logger = logging.getLogger("bluelight.security")


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "The email address or password is not right. Check both and try again; "
            "after several failed attempts the account is locked for a while."
        ),
    }


class PortalPasswordResetForm(PasswordResetForm):
    """Writes the reset e-mail as a message row, sent by a Celery task after commit (or by the
    sweep once the broker is back), instead of sending it during the request.

    At most PASSWORD_RESET_ACCOUNT_LIMIT requests an hour for one address typed and
    PASSWORD_RESET_ADDRESS_LIMIT from one network address are acted on; the rest get the same
    "check your e-mail" page and no e-mail, so the answer never says whether an account exists.
    """

    def save(self, *args: Any, **kwargs: Any) -> None:
        email = normalise_username(self.cleaned_data["email"])
        request = kwargs.get("request")
        if _reset_requests_exceeded(email, request):
            logger.warning("Password reset request over the limit; no e-mail sent.")
            return
        for person in self.get_users(email):
            with transaction.atomic():
                email_request(
                    kind="password_reset",
                    recipient=person,
                    # Each request is a message of its own (the link is made when it is sent).
                    event_key=f"password-reset:{uuid.uuid4().hex}",
                    subject="Reset your password",
                    link="",
                    payload={},
                )


def _reset_requests_exceeded(email: str, request: HttpRequest | None) -> bool:
    # Both counters count every request, for accounts that exist or not alike.
    address = (client_ip(request) if request is not None else None) or "unknown"
    by_address = over_limit(
        "password-reset-address",
        address,
        limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
        window_seconds=3600,
    )
    by_account = over_limit(
        "password-reset-account",
        email,
        limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
        window_seconds=3600,
    )
    return by_address or by_account


class InvitePersonForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address")
    job_title = forms.CharField(max_length=200, required=False, label="Job title")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        help_text="The organisation the person belongs to and represents on the board.",
    )
    role = forms.ChoiceField(
        choices=BoardMembership.Role.choices,
        initial=BoardMembership.Role.MEMBER,
        label="Role on the board",
    )

    def __init__(self, *args, board: Board, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = board.organisations.order_by("name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Someone with this email address already has an account. If they never "
                "accepted their invitation, send it again from the board's page."
            )
        return email


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    otp_token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split()).lower()
        if not code.isalnum():
            raise forms.ValidationError("Enter the code with letters and numbers only.")
        return code


class AuthenticatorSetUpForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from the app",
        max_length=6,
        min_length=6,
        help_text="Once the app shows the portal, enter the 6 digits it shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={
            "min_length": "Enter the 6 digits your app shows, for example 123456.",
            "required": "Enter the 6 digits your app shows, for example 123456.",
        },
    )

    def clean_otp_token(self) -> str:
        code = self.cleaned_data["otp_token"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits your app shows, for example 123456.")
        return code


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for and how long it lasts (a year at most)."""

    LASTS = [("30", "30 days"), ("90", "90 days"), ("180", "6 months"), ("365", "1 year")]

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, e.g. “Fire case system”.",
        error_messages={"required": "Name the token: say what it is for."},
    )
    lasts = forms.ChoiceField(
        label="Expires after",
        choices=LASTS,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose when the token expires.",
            "invalid_choice": "Choose when the token expires: a token lasts at most a year.",
        },
    )

    def lasts_for(self) -> timedelta:
        return timedelta(days=int(self.cleaned_data["lasts"]))

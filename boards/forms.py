from functools import partial
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from . import tasks
from .models import Board, BoardMembership, Organisation, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "The e-mail address or password is not right. Check both and try again; "
            "after several failed attempts the account is locked for a while."
        ),
    }


class PortalPasswordResetForm(PasswordResetForm):
    """Queues the reset e-mail for a Celery task instead of sending it during the request."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        for person in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(partial(tasks.send_password_reset_email.delay, person.pk))


class InvitePersonForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="E-mail address")
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
                "Someone with this e-mail address already has an account. If they never "
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

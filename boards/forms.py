import uuid
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from .models import Board, BoardMembership, Organisation, User
from .signals import email_request


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
    """Writes the reset e-mail as a message row, sent by a Celery task after commit (or by the
    sweep once the broker is back), instead of sending it during the request."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        for person in self.get_users(self.cleaned_data["email"]):
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

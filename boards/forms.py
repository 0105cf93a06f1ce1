from functools import partial
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from . import tasks
from .models import Board, BoardMembership, Organisation, User


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
    """Queues the reset email for a Celery task instead of sending it during the request."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        for person in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(partial(tasks.send_password_reset_email.delay, person.pk))


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

"""Passkeys and security keys (django-otp-webauthn) as a second factor, beside the
authenticator app: the library's ceremonies, with the session's verification time kept for
step-up and each use and registration recorded as a security event."""

from django.http import HttpResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn

from audit.services import security_record

from . import two_factor


class CompletePasskeyRegistration(webauthn.CompleteCredentialRegistrationView):
    """The library checks that a person who already has a second factor has passed it first."""

    def post(self, *args, **kwargs) -> HttpResponse:
        response = super().post(*args, **kwargs)
        person = self.request.user
        if response.status_code == 200:
            self.request.session.setdefault(two_factor.VERIFIED_AT, two_factor.now())
            security_record(
                request=self.request,
                verb="two_factor.passkey_registered",
                summary=f"{person} registered a passkey or security key",
                subject=person,
                username=person.get_username(),
            )
        return response


class CompletePasskeyAuthentication(webauthn.CompleteCredentialAuthenticationView):
    def complete_auth(self, device) -> None:
        super().complete_auth(device)
        self.request.session[two_factor.VERIFIED_AT] = two_factor.now()
        person = device.user
        security_record(
            request=self.request,
            verb="two_factor.verified",
            summary=f"{person} passed their second factor with a passkey or security key",
            subject=person,
            username=person.get_username(),
            after={"method": "passkey"},
        )


# The library's URL names (its script finds them in the ``otp_webauthn`` namespace). Signing in
# with a passkey alone is switched off: it is a second factor after the password.
urlpatterns = [
    path(
        "registration/begin/",
        webauthn.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompletePasskeyRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        webauthn.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompletePasskeyAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]


def relying_party_id(request) -> str:
    """The passkeys' relying party: the host the portal is reached at (one of ALLOWED_HOSTS)."""
    host = request.get_host()
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host

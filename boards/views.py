import base64
import io
import logging
import math
import time
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from mozilla_django_oidc.utils import generate_code_challenge  # type: ignore[import-untyped]

from audit.services import security_record
from audit.signals import RECORDED_MARK, SECOND_FACTOR_MARK, SIGN_IN_METHOD
from core.page_cache import cached_page

from . import permissions, selectors, services, sessions, two_factor
from . import sign_on as sign_on_module
from .forms import (
    ApiTokenForm,
    AuthenticatorSetUpForm,
    InvitePersonForm,
    SecondFactorForm,
    SignInForm,
)
from .http import AuthenticatedHttpRequest
from .models import (
    ApiToken,
    BoardMembership,
    OrganisationSignOn,
    PersonInvitation,
    SignedInSession,
)

logger = logging.getLogger("bluelight.security")


@require_GET
@cached_page
def board_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.board_for(request.user, slug)
    current = (
        BoardMembership.objects.current()
        .filter(board=board)
        .select_related("person", "organisation")
        .order_by("organisation__name", "person__full_name")
    )
    organisations = board.organisations.order_by("-active", "name").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_members")
    )
    may_invite = permissions.can_invite_people(request.user, board)
    invitations = (
        PersonInvitation.objects.pending().filter(board=board).select_related("person")
        if may_invite
        else []
    )
    return render(
        request,
        "boards/board_detail.html",
        {
            "board": board,
            "organisations": organisations,
            "invitations": invitations,
            "may_invite": may_invite,
        },
    )


@require_http_methods(["GET", "POST"])
def person_invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.board_for(request.user, slug, permissions.can_invite_people)
    form = InvitePersonForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        invitation = services.person_invite(
            invited_by=request.user, board=board, **form.cleaned_data
        )
        messages.success(
            request,
            f"{invitation.person.full_name} has been invited. The email with their "
            f"set-password link is on its way; the link works once, for "
            f"{settings.INVITATION_VALID_DAYS} days.",
        )
        return redirect(board)
    return render(request, "boards/person_invite.html", {"board": board, "form": form})


@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    board = permissions.board_for(request.user, slug, permissions.can_invite_people)
    invitation = get_object_or_404(
        PersonInvitation.objects.filter(board=board, accepted_at__isnull=True), pk=pk
    )
    services.invitation_resend(invitation=invitation, invited_by=request.user)
    messages.success(
        request,
        f"A new invitation has been sent to {invitation.person.email}; "
        "the old link no longer works.",
    )
    return redirect(board)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = PersonInvitation.find_usable(token)
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    form = SetPasswordForm(invitation.person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationNoLongerValid:
            return render(request, "registration/invitation_invalid.html", status=404)
        except ValidationError as error:  # pragma: no cover - the form validated the same rules
            form.add_error("new_password1", error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {person.full_name}. Your password is set.")
            return redirect("home")
    return render(
        request, "registration/invitation_accept.html", {"form": form, "invitation": invitation}
    )


# --- Signing out and one's sessions -------------------------------------------------------------


class SignOutView(LogoutView):
    """Django's sign-out, telling the browser to drop what it kept of the portal too."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@require_GET
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "boards/sessions.html",
        {
            "sessions": selectors.signed_in_sessions_of(request.user),
            "current_key": request.session.session_key,
            "tokens": selectors.api_tokens_of(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's API tokens, and a form to make one; a new token is shown once."""
    form = ApiTokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        record, token = services.api_token_create(
            person=request.user, name=form.cleaned_data["name"], lasts=form.lasts_for()
        )
        made = {"record": record, "token": token}
        form = ApiTokenForm()
    response = render(
        request,
        "boards/api_tokens.html",
        {"form": form, "made": made, "tokens": selectors.api_tokens_of(request.user)},
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ApiToken, pk=pk)
    if not permissions.can_revoke_api_token(request.user, record):
        raise Http404("There is no such API token of yours.")
    if services.api_token_revoke(record=record, actor=request.user):
        messages.success(request, f"The API token “{record.name}” is revoked: it no longer works.")
    else:
        messages.info(request, f"The API token “{record.name}” was already revoked.")
    return redirect((request.POST.get("back") == "sessions" and "session_list") or "api_tokens")


# --- Password pages: Django's own, with the security events recorded ---------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        person = self.request.user
        security_record(
            request=self.request,
            verb="password.changed",
            summary=f"{person} changed their password",
            subject=person,
            username=person.get_username(),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # Recorded whether or not the address belongs to anyone; the page says the same either
        # way, so it never reveals who has an account.
        security_record(
            request=self.request,
            verb="password.reset_requested",
            summary="A password reset was asked for",
            username=form.cleaned_data["email"],
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        person = form.user
        security_record(
            request=self.request,
            verb="password.reset",
            summary=f"{person} set a new password from a reset link",
            actor=person,
            subject=person,
            username=person.get_username(),
        )
        return response


# --- Second factor: set-up, sign-in and step-up --------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


def _pending_authenticator(person) -> TOTPDevice:
    """The authenticator being set up: kept (unconfirmed) until a first code proves it works."""
    device = TOTPDevice.objects.filter(user=person, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=False)
    return device


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    if two_factor.has_second_factor(person) and not two_factor.is_verified(request):
        # Replacing an authenticator needs the one already set up (or a recovery code) first.
        return redirect(two_factor.verify_url(request.get_full_path()))
    device = _pending_authenticator(person)
    form = AuthenticatorSetUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            codes = services.two_factor_enrol(person=person, device=device)
            two_factor.mark_verified(request, device)
            security_record(
                request=request,
                verb="two_factor.enrolled",
                summary=f"{person} set up an authenticator app and new recovery codes",
                subject=person,
                username=person.email,
            )
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error(
            "otp_token",
            "That code is not right. Check the app shows the portal, and enter the 6 digits "
            "it shows now; they change every 30 seconds.",
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next_url(request),
            "required": two_factor.is_required_for(person),
        },
    )


@require_POST
def session_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(SignedInSession, pk=pk)
    if not permissions.can_end_session(request.user, record):
        raise Http404("There is no such session of yours.")
    if record.session_key == request.session.session_key:
        messages.error(request, "This is the session you are using: to end it, sign out.")
        return redirect("session_list")
    services.session_end(record=record)
    messages.success(request, f"The session on {record.device} is signed out.")
    return redirect("session_list")


@require_POST
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.sessions_end_others(
        person=request.user, keep_session_key=request.session.session_key
    )
    if count:
        noun = "session is" if count == 1 else "sessions are"
        messages.success(request, f"{count} other {noun} signed out. This one stays signed in.")
    else:
        messages.info(request, "You were not signed in anywhere else.")
    return redirect("session_list")


@require_http_methods(["GET", "POST"])
def session_keep_alive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: how long the session has left (not itself activity). POST: "Stay signed in"."""
    if request.method == "POST":
        sessions.touch(request, force=True)
    return JsonResponse({"signed_in": True, "seconds_left": sessions.seconds_left(request.session)})


@never_cache
@require_GET
def two_factor_qr(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up, as an SVG image (no script, no style).
    qrcode is imported here: few requests ask for it, and every web worker would hold it."""
    import qrcode
    import qrcode.image.svg

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
    if device is None:
        return HttpResponse("Nothing is being set up.", status=404, content_type="text/plain")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store, private"
    return response


def _locked_out(request: HttpRequest, credentials: dict) -> HttpResponse:
    logout(request)
    return get_lockout_response(request, credentials=credentials)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    if not two_factor.has_second_factor(person):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    credentials = {"username": person.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request, credentials)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(person, form.cleaned_data["otp_token"])
        if device is not None:
            return _second_factor_passed(request, device)
        security_record(
            request=request,
            verb="two_factor.failed",
            summary=f"A wrong second-factor code was entered for {person}",
            subject=person,
            username=person.email,
        )
        # Counted by the sign-in lock-out like a wrong password.
        user_login_failed.send(
            sender=__name__,
            credentials={**credentials, SECOND_FACTOR_MARK: True},
            request=request,
        )
        if AxesProxyHandler.is_locked(request, credentials):
            return _locked_out(request, credentials)
        form.add_error(
            "otp_token",
            "That code is not right. Enter the 6 digits your authenticator app shows now, or "
            "one of your recovery codes; after several wrong codes you are signed out for a "
            "while.",
        )
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "step_up": "step_up" in request.GET},
    )


def _second_factor_passed(request: AuthenticatedHttpRequest, device) -> HttpResponse:
    person = request.user
    recovery = isinstance(device, StaticDevice)
    two_factor.mark_verified(request, device)
    security_record(
        request=request,
        verb="two_factor.verified",
        summary=f"{person} passed their second factor with "
        + ("a recovery code" if recovery else "their authenticator app"),
        subject=person,
        username=person.email,
        after={"method": "recovery_code" if recovery else "authenticator_app"},
    )
    if recovery:
        left = StaticToken.objects.filter(device__user=person).count()
        messages.warning(
            request,
            f"You used a recovery code; it will not work again. You have {left} left. "
            "Set up your authenticator app again or make new codes from “Second factor”.",
        )
    return redirect(_next_url(request))


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    required = two_factor.is_required_for(person)
    if request.method == "POST":
        if not two_factor.is_fresh(request):
            return two_factor.step_up_redirect(request, reverse("two_factor_manage"))
        action = request.POST.get("action")
        if action == "recovery_codes":
            codes = services.recovery_codes_renew(person=person)
            security_record(
                request=request,
                verb="two_factor.recovery_codes_renewed",
                summary=f"{person} made new recovery codes",
                subject=person,
                username=person.email,
            )
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": reverse("two_factor_manage"), "first_time": False},
            )
        if action == "remove" and not required:
            services.two_factor_remove(person=person)
            security_record(
                request=request,
                verb="two_factor.removed",
                summary=f"{person} turned off their second factor",
                subject=person,
                username=person.email,
            )
            messages.success(request, "Your second factor is turned off.")
            return redirect("two_factor_manage")
        return HttpResponse("That is not something this page does.", status=400)
    return render(
        request,
        "registration/two_factor_manage.html",
        {
            "has_second_factor": two_factor.has_second_factor(person),
            "required": required,
            "recovery_codes_left": StaticToken.objects.filter(device__user=person).count(),
            "passkeys": WebAuthnCredential.objects.filter(user=person, confirmed=True).count(),
        },
    )


# --- Signing in through a body's identity provider (single sign-on) -----------------------------


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering each body's own sign-in beside the password."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_ons"] = selectors.enabled_sign_ons()
        return context


SIGN_ON_STATES = "sign_on_states"
# A sign-in left at the provider longer than this cannot be finished; a few at once are kept
# (several tabs), the oldest dropped first.
SIGN_ON_STATE_SECONDS = 10 * 60
SIGN_ON_STATES_KEPT = 5
# The provider's auth_time may be this much earlier than the start of a step-up sign-in.
SIGN_ON_CLOCK_LEEWAY = 60

# Why a single sign-on did not sign the person in, and the status of the page that says so
# (registration/sign_on_problem.html has the words).
SIGN_ON_PROBLEMS = {
    "state": 400,
    "provider_error": 403,
    "unchecked": 403,
    "no_email": 403,
    "unverified_email": 403,
    "other_domain": 403,
    "unknown_person": 403,
    "inactive": 403,
    "not_fresh": 403,
    "other_person": 403,
    "unavailable": 502,
}


def _sign_on_states(request: HttpRequest) -> dict:
    states = request.session.get(SIGN_ON_STATES)
    return states if isinstance(states, dict) else {}


@login_not_required
@never_cache
@require_GET
def sign_on_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the browser to the body's identity provider, with a fresh state, nonce and PKCE
    verifier kept in the session. ``step_up=1``: a signed-in person signs in there again."""
    sign_on = get_object_or_404(selectors.enabled_sign_ons(), pk=pk)
    step_up = request.GET.get("step_up") == "1" and request.user.is_authenticated
    try:
        config = sign_on_module.provider_configuration(sign_on)
    except sign_on_module.ProviderUnavailable as problem:
        logger.warning("Single sign-on of %s unavailable: %s", sign_on.organisation, problem)
        return _sign_on_problem(request, sign_on, "unavailable")
    state, nonce = get_random_string(32), get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": sign_on.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("sign_on_callback")),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    if step_up:
        params.update(
            {
                "prompt": "login",
                "max_age": str(SIGN_ON_CLOCK_LEEWAY),
                "login_hint": request.user.get_username(),
            }
        )
    now = time.time()
    kept = {
        key: value
        for key, value in _sign_on_states(request).items()
        if now - value.get("at", 0) < SIGN_ON_STATE_SECONDS
    }
    for old in sorted(kept, key=lambda key: kept[key]["at"])[: -SIGN_ON_STATES_KEPT + 1]:
        del kept[old]
    kept[state] = {
        "sign_on": sign_on.pk,
        "nonce": nonce,
        "code_verifier": verifier,
        "next": _next_url(request),
        "at": now,
        "step_up": step_up,
    }
    request.session[SIGN_ON_STATES] = kept
    endpoint = config["authorization_endpoint"]
    return redirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}")


@login_not_required
@never_cache
@require_GET
def sign_on_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: the state is used up, the code exchanged and
    the id_token checked (boards.sign_on), then the person is signed in, or the page says why
    not. Refusals count towards the sign-in lock-out and are recorded like failed passwords."""
    states = _sign_on_states(request)
    entry = states.pop(request.GET.get("state", ""), None)
    if entry is not None:
        request.session[SIGN_ON_STATES] = states  # used once, whatever happens next
    if not isinstance(entry, dict) or time.time() - entry.get("at", 0) >= SIGN_ON_STATE_SECONDS:
        return _sign_on_problem(request, None, "state")
    sign_on = selectors.enabled_sign_ons().filter(pk=entry["sign_on"]).first()
    if sign_on is None:
        return _sign_on_problem(request, None, "state")
    if request.GET.get("error") or not request.GET.get("code"):
        return _sign_on_problem(request, sign_on, "provider_error")
    backend = sign_on_module.OrganisationSignOnBackend()
    try:
        person = backend.authenticate(
            request, sign_on=sign_on, nonce=entry["nonce"], code_verifier=entry["code_verifier"]
        )
    except sign_on_module.ProviderUnavailable as problem:
        logger.warning("Single sign-on of %s unavailable: %s", sign_on.organisation, problem)
        return _sign_on_problem(request, sign_on, "unavailable")
    except sign_on_module.SignOnRefused as refusal:
        return _sign_on_problem(request, sign_on, refusal.reason, email=refusal.email)
    if person is None:  # pragma: no cover - the backend raises rather than answer None
        return _sign_on_problem(request, sign_on, "unchecked")
    credentials = {"username": person.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    if entry.get("step_up"):
        return _sign_on_step_up(request, sign_on, person, backend.claims, entry)
    return _sign_on_sign_in(request, sign_on, person, backend.claims, entry["next"])


def _provider_multi_factor(sign_on: OrganisationSignOn, claims: dict) -> bool:
    return sign_on.accepts_provider_mfa and sign_on_module.shows_multi_factor(claims)


def _given_auth_time(claims: dict) -> int | None:
    """When the person signed in at the provider (``auth_time``, seconds), if the token says so
    as a number (a provider's mistake is never an error page)."""
    value = claims.get("auth_time")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


def _auth_time(claims: dict) -> int:
    given = _given_auth_time(claims)
    return two_factor.now() if given is None else given


def _sign_on_sign_in(
    request: HttpRequest, sign_on: OrganisationSignOn, person, claims: dict, next_url: str
) -> HttpResponse:
    organisation = sign_on.organisation
    setattr(request, SIGN_IN_METHOD, f"{organisation}'s single sign-on")
    login(request, person, backend=sign_on_module.BACKEND)
    services.invitations_close_by_sign_on(person=person, organisation=organisation)
    if _provider_multi_factor(sign_on, claims):
        two_factor.mark_verified_by_provider(request, sign_on_pk=sign_on.pk, at=_auth_time(claims))
        security_record(
            request=request,
            verb="two_factor.verified",
            summary=f"{person} passed their second factor with {organisation}'s "
            "multi-factor sign-in",
            subject=person,
            username=person.email,
            after={"method": "identity_provider", "amr": _amr_of(claims)},
        )
    return redirect(next_url)


def _sign_on_step_up(
    request: HttpRequest, sign_on: OrganisationSignOn, person, claims: dict, entry: dict
) -> HttpResponse:
    """A signed-in person's fresh multi-factor sign-in at their provider, for a step that
    needs a recent second factor."""
    if not request.user.is_authenticated or request.user.pk != person.pk:
        return _sign_on_problem(request, sign_on, "other_person", email=person.email)
    given = _given_auth_time(claims)
    fresh = given is not None and given >= entry["at"] - SIGN_ON_CLOCK_LEEWAY
    if not (fresh and _provider_multi_factor(sign_on, claims)):
        return _sign_on_problem(request, sign_on, "not_fresh", email=person.email)
    two_factor.mark_verified_by_provider(request, sign_on_pk=sign_on.pk, at=_auth_time(claims))
    security_record(
        request=request,
        verb="two_factor.verified",
        summary=f"{person} confirmed their second factor again with "
        f"{sign_on.organisation}'s multi-factor sign-in",
        subject=person,
        username=person.email,
        after={"method": "identity_provider", "amr": _amr_of(claims), "step_up": True},
    )
    return redirect(entry["next"])


def _amr_of(claims: dict) -> list[str]:
    methods = claims.get("amr")
    return [str(m) for m in methods][:10] if isinstance(methods, list) else []


def _sign_on_problem(
    request: HttpRequest, sign_on: OrganisationSignOn | None, reason: str, *, email: str = ""
) -> HttpResponse:
    """The page saying why single sign-on did not sign the person in; a refusal is recorded
    and counted by the lock-out like a failed password."""
    status = SIGN_ON_PROBLEMS[reason]
    if status != 502:
        organisation = sign_on.organisation if sign_on else None
        security_record(
            request=request,
            verb="sign_in.failed",
            summary=f"A sign-in through {organisation or 'an unknown'}'s single sign-on was "
            f"refused ({reason.replace('_', ' ')})",
            username=email,
            after={
                "method": "single_sign_on",
                "organisation": organisation.pk if organisation else None,
                "reason": reason,
            },
        )
        user_login_failed.send(
            sender=__name__,
            credentials={"username": email, RECORDED_MARK: True},
            request=request,
        )
    return render(
        request,
        "registration/sign_on_problem.html",
        {"reason": reason, "sign_on": sign_on, "email": email},
        status=status,
    )

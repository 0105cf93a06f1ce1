"""Multi-step operations on people and boards. Each appends its audit event."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core.exceptions import Refused

from .models import (
    API_TOKEN_PREFIX,
    ApiToken,
    Board,
    BoardMembership,
    Organisation,
    PersonInvitation,
    SignedInSession,
    User,
)
from .signals import email_request


@transaction.atomic
def person_invite(
    *,
    invited_by: User,
    board: Board,
    email: str,
    full_name: str,
    job_title: str,
    organisation: Organisation,
    role: str,
) -> PersonInvitation:
    """Invite a new person to the portal and the board.

    Creates the person (no usable password until they accept), their membership of the board
    from today, and an invitation; after commit, queues the email with the set-password link.
    """
    person = User.objects.create_user(
        email=email,
        full_name=full_name,
        job_title=job_title,
        organisation=organisation,
    )
    membership = BoardMembership.objects.create(
        person=person, board=board, organisation=organisation, role=role
    )
    audit_record(
        subject=person,
        actor=invited_by,
        verb="person.invited",
        summary=f"{full_name} invited to {board.name} as {membership.get_role_display().lower()}",
        after={"board": board.pk, "role": role, "organisation": organisation.pk},
    )
    return invitation_issue(person=person, board=board, invited_by=invited_by)


@transaction.atomic
def invitation_resend(*, invitation: PersonInvitation, invited_by: User) -> PersonInvitation:
    """Replace an unaccepted invitation with a fresh link; the old link stops working.

    Marks every open invitation of the person as replaced, issues a new one and queues its
    email after commit.
    """
    now = timezone.now()
    PersonInvitation.objects.filter(
        person=invitation.person, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    audit_record(
        subject=invitation.person,
        actor=invited_by,
        verb="person.invitation_resent",
        summary=f"Invitation of {invitation.person} sent again; the old link no longer works",
    )
    return invitation_issue(person=invitation.person, board=invitation.board, invited_by=invited_by)


def invitation_issue(*, person: User, board: Board, invited_by: User) -> PersonInvitation:
    invitation, _ = PersonInvitation.issue(person=person, board=board, invited_by=invited_by)
    email_request(
        kind="person_invitation",
        recipient=person,
        event_key=f"person-invitation:{invitation.pk}",
        subject=f"Invitation to join the portal for {board.name}",
        link="",
        payload={"invitation": invitation.pk},
        board=board,
    )
    return invitation


class InvitationNoLongerValid(Refused):
    """The invitation was accepted, replaced or expired while the person was on the page."""


@transaction.atomic
def invitation_accept(*, invitation: PersonInvitation, password: str) -> User:
    """Accept an invitation: set the person's password and close the invitation for good.

    The invitation is closed with a conditional update, so a link used twice at the same
    moment sets the password only once.
    """
    person = invitation.person
    password_validation.validate_password(password, person)
    closed = (
        PersonInvitation.objects.pending()
        .filter(pk=invitation.pk, person__is_active=True)
        .update(accepted_at=timezone.now())
    )
    if closed != 1:
        raise InvitationNoLongerValid
    person.set_password(password)
    person.save(update_fields=["password"])
    audit_record(
        subject=person,
        actor=person,
        verb="person.invitation_accepted",
        summary=f"{person} accepted their invitation and set a password",
    )
    return person


@transaction.atomic
def invitations_close_by_sign_on(*, person: User, organisation: Organisation) -> int:
    """A person who signed in through their body's identity provider has taken up their
    invitation: its set-password link stops working and the board no longer lists it as
    pending. Appends one audit event when there was one to close; returns how many closed."""
    closed = (
        PersonInvitation.objects.pending().filter(person=person).update(accepted_at=timezone.now())
    )
    if closed:
        audit_record(
            subject=person,
            actor=person,
            verb="person.invitation_accepted",
            summary=f"{person} accepted their invitation by signing in with {organisation}'s "
            "single sign-on",
        )
    return closed


def session_end(*, record: SignedInSession) -> None:
    """Signs one session out: its data leaves the session store, so its cookie opens nothing,
    and it leaves the person's sessions page."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=record.session_key).delete()
    record.delete()


def sessions_end_others(*, person: User, keep_session_key: str | None) -> int:
    """Signs out every other session of the person; returns how many were ended."""
    others = list(
        SignedInSession.objects.filter(person=person).exclude(session_key=keep_session_key)
    )
    for record in others:
        session_end(record=record)
    return len(others)


RECOVERY_CODES = 10


@transaction.atomic
def two_factor_enrol(*, person: User, device: TOTPDevice) -> list[str]:
    """Make ``device`` (already checked with a code from the app) the person's authenticator,
    replacing any earlier one, and give them fresh recovery codes, which are returned to be
    shown once. The security event is recorded by the page, which knows where it came from."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=person).exclude(pk=device.pk).delete()
    return recovery_codes_renew(person=person)


@transaction.atomic
def recovery_codes_renew(*, person: User) -> list[str]:
    """Replace the person's recovery codes with new ones (each works once); returns them."""
    StaticDevice.objects.filter(user=person).delete()
    static = StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_remove(*, person: User) -> None:
    """Remove the person's authenticator and recovery codes (only for those not required to
    have a second factor; the page checks)."""
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()


# --- personal API tokens --------------------------------------------------------------------

API_TOKEN_LONGEST = timedelta(days=366)
API_TOKEN_REFUSED_LONGER = "An API token lasts at most a year: choose an earlier expiry."


def api_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, person: User, name: str, lasts: timedelta) -> tuple[ApiToken, str]:
    """Make a personal API token; returns the row and the token itself, which is shown to the
    person once and never stored (only its SHA-256 digest is). Appends an audit event."""
    if lasts <= timedelta(0) or lasts > API_TOKEN_LONGEST:
        raise Refused(API_TOKEN_REFUSED_LONGER)
    key = secrets.token_hex(6)
    token = f"{API_TOKEN_PREFIX}{key}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    record = ApiToken.objects.create(
        person=person,
        name=name,
        key=key,
        digest=api_token_digest(token),
        created_at=now,
        expires_at=now + lasts,
    )
    audit_record(
        subject=person,
        actor=person,
        verb="api_token.created",
        summary=f"API token “{name}” ({record.shown_prefix}) made, "
        f"expiring {timezone.localtime(record.expires_at):%-d %B %Y}",
        after={"token": record.pk, "name": name, "expires_at": record.expires_at.isoformat()},
    )
    return record, token


@transaction.atomic
def api_token_revoke(*, record: ApiToken, actor: User) -> bool:
    """Revoke a token now (once; False if it was already revoked). Appends an audit event."""
    revoked = ApiToken.objects.filter(pk=record.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            subject=record.person,
            actor=actor,
            verb="api_token.revoked",
            summary=f"API token “{record.name}” ({record.shown_prefix}) revoked",
            after={"token": record.pk},
        )
    return bool(revoked)


def api_token_find(token: str) -> ApiToken | None:
    """The token's row if the token is genuine (revoked or expired or not), else None."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    key, _, secret = token.removeprefix(API_TOKEN_PREFIX).partition("_")
    if not secret:
        return None
    record = ApiToken.objects.select_related("person").filter(key=key).first()
    if record is None or not hmac.compare_digest(record.digest, api_token_digest(token)):
        return None
    return record

"""Multi-step operations on people and boards."""

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from core.exceptions import Refused

from . import tasks
from .models import Board, BoardMembership, Organisation, PersonInvitation, User


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
    BoardMembership.objects.create(person=person, board=board, organisation=organisation, role=role)
    return _issue_invitation(person=person, board=board, invited_by=invited_by)


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
    return _issue_invitation(
        person=invitation.person, board=invitation.board, invited_by=invited_by
    )


def _issue_invitation(*, person: User, board: Board, invited_by: User) -> PersonInvitation:
    invitation, token = PersonInvitation.issue(person=person, board=board, invited_by=invited_by)
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
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
    return person

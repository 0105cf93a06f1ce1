import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from boards import services as board_services
from boards.models import BoardMembership, PersonInvitation, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "full_name": "Dana Doyle",
    "email": "Dana.Doyle@Police.example",
    "job_title": "Head of Estates",
    "role": BoardMembership.Role.MEMBER,
}


def invite_url(board):
    return reverse("person_invite", kwargs={"slug": board.slug})


def invite(client, board, organisation, capture, **changes):
    data = {**NEW_PERSON, "organisation": organisation.pk, **changes}
    with capture(execute=True):
        return client.post(invite_url(board), data)


def link_in(message) -> str:
    return re.search(r"https://portal\.example\.org(/invitation/\S+/)", message.body).group(1)


def accept(client, link, password="a-long-and-unusual-secret-7"):
    return client.post(link, {"new_password1": password, "new_password2": password})


def test_secretariat_invites_a_person_who_gets_an_email_with_a_link(
    client_of, alice, board, police, django_capture_on_commit_callbacks
):
    response = invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    person = User.objects.get(email="dana.doyle@police.example")
    assert not person.has_usable_password()
    membership = person.memberships.get()
    assert (membership.board, membership.organisation, membership.role) == (board, police, "member")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana.doyle@police.example"]
    assert board.name in message.subject
    assert "Alice Archer has invited you" in message.body
    assert link_in(message) in message.alternatives[0][0]


def test_the_link_sets_the_password_and_signs_the_person_in(
    client_of, client, alice, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Welcome to the Warwickshire Blue Light" in page.content.decode()
    response = accept(client, link)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert "Welcome, Dana" in home.content.decode()
    assert User.objects.get(email="dana.doyle@police.example").check_password(
        "a-long-and-unusual-secret-7"
    )


def test_the_link_works_only_once(
    client_of, client, alice, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.logout()
    accept(client, link)
    client.logout()
    second = client.get(link)
    assert second.status_code == 404
    assert "This invitation link is not valid" in second.content.decode()
    assert accept(client, link, "another-long-secret-8").status_code == 404
    assert User.objects.get(email="dana.doyle@police.example").check_password(
        "a-long-and-unusual-secret-7"
    )


def test_the_link_expires(
    client_of, client, alice, board, police, settings, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.logout()
    later = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, minutes=1)
    with time_machine.travel(later):
        assert client.get(link).status_code == 404
        assert accept(client, link).status_code == 404
    assert not User.objects.get(email="dana.doyle@police.example").has_usable_password()


def test_a_made_up_link_is_refused(client):
    response = client.get(reverse("invitation_accept", kwargs={"token": "made-up-token"}))
    assert response.status_code == 404
    assert "ask the board's secretariat" in response.content.decode()


def test_weak_password_on_accepting_is_refused_and_the_link_stays_usable(
    client_of, client, alice, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.logout()
    response = accept(client, link, "12345")
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert client.get(link).status_code == 200


def test_sending_a_new_link_replaces_the_old_one(
    client_of, client, alice, board, police, django_capture_on_commit_callbacks
):
    secretariat = client_of(alice)
    invite(secretariat, board, police, django_capture_on_commit_callbacks)
    old_link = link_in(mail.outbox[0])
    invitation = PersonInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(
            reverse("invitation_resend", kwargs={"slug": board.slug, "pk": invitation.pk})
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[1])
    client.logout()
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_the_email_is_sent_only_after_the_invitation_is_committed(
    client_of, alice, board, police, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_of(alice).post(invite_url(board), {**NEW_PERSON, "organisation": police.pk})
    assert mail.outbox == []
    # What runs at commit: the e-mail, and the renewal of the new person's cached record.
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_an_address_already_registered_is_refused_with_a_clear_message(
    client_of, alice, bob, board, fire, django_capture_on_commit_callbacks
):
    response = invite(
        client_of(alice), board, fire, django_capture_on_commit_callbacks, email="BOB@fire.example"
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert mail.outbox == []


def test_missing_name_and_bad_address_are_refused(
    client_of, alice, board, police, django_capture_on_commit_callbacks
):
    response = invite(
        client_of(alice),
        board,
        police,
        django_capture_on_commit_callbacks,
        full_name="",
        email="not-an-address",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There are problems with what you entered" in body
    assert "Full name: Enter the full name" in body
    assert "Enter a valid email address." in body
    assert not User.objects.filter(full_name="").exists()


def test_an_organisation_not_on_the_board_is_refused(
    client_of, alice, board, outsider_org, django_capture_on_commit_callbacks
):
    response = invite(client_of(alice), board, outsider_org, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="dana.doyle@police.example").exists()


def test_a_member_without_the_secretariat_role_may_not_invite(client_of, bob, board, police):
    client = client_of(bob)
    assert client.get(invite_url(board)).status_code == 403
    response = client.post(invite_url(board), {**NEW_PERSON, "organisation": police.pk})
    assert response.status_code == 403
    assert "Only the board&#x27;s secretariat may do this" in response.content.decode()
    assert not User.objects.filter(email="dana.doyle@police.example").exists()


def test_the_secretariat_of_another_board_gets_not_found(client_of, charlie, board, police):
    response = client_of(charlie).post(invite_url(board), {**NEW_PERSON, "organisation": police.pk})
    assert response.status_code == 404
    assert not User.objects.filter(email="dana.doyle@police.example").exists()


def test_an_executive_without_a_board_role_may_not_invite(client_of, erin, board, police):
    assert client_of(erin).get(invite_url(board)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, board):
    response = client.get(invite_url(board))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_member_may_not_resend_an_invitation(
    client_of, alice, bob, board, police, django_capture_on_commit_callbacks
):
    invite(client_of(alice), board, police, django_capture_on_commit_callbacks)
    invitation = PersonInvitation.objects.get()
    response = client_of(bob).post(
        reverse("invitation_resend", kwargs={"slug": board.slug, "pk": invitation.pk})
    )
    assert response.status_code == 403
    assert PersonInvitation.objects.get().revoked_at is None


def test_a_deactivated_person_cannot_use_their_invitation(client, alice, board, police):
    person = UserFactory(organisation=police, email="gone@police.example")
    _, token = PersonInvitation.issue(person=person, board=board, invited_by=alice)
    person.is_active = False
    person.save()
    url = reverse("invitation_accept", kwargs={"token": token})
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"new_password1": "long-enough-secret-1", "new_password2": "long-enough-secret-1"}
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert not person.is_active
    invitation = PersonInvitation.objects.get(person=person)
    with pytest.raises(board_services.InvitationNoLongerValid):
        board_services.invitation_accept(invitation=invitation, password="long-enough-secret-1")

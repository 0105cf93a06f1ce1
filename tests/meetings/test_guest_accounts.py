"""External guests invited by e-mail to one meeting: a guest account without a board role,
access to that meeting's Part 1 and admitted items only, switched off after the meeting."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from boards.models import PersonInvitation, User
from meetings import services
from meetings.guests import guest_accounts_expire
from meetings.models import ExemptItemAdmission, GuestAccount, Meeting
from tests.factories import MeetingFactory, PaperFactory

pytestmark = pytest.mark.django_db


def invite(client, meeting, email="gwen@consultants.example", name="Gwen Green"):
    return client.post(
        reverse("guest_invite", args=[meeting.pk]),
        {"full_name": name, "email": email, "job_title": "Estates consultant"},
    )


def test_a_guest_invited_by_e_mail_gets_an_account_for_this_meeting(
    client_of, published, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_of(alice), published)
    assert response.status_code == 302
    guest = User.objects.get(email="gwen@consultants.example")
    assert not guest.has_usable_password()
    assert not guest.memberships.exists()
    assert GuestAccount.objects.get(person=guest).meeting == published
    assert published.invitations.get(person=guest).is_guest
    assert PersonInvitation.objects.filter(person=guest).exists()
    # The set-password link, the meeting's .ics invitation and, the papers being out, their
    # notice.
    assert {tuple(m.to) for m in mail.outbox} == {("gwen@consultants.example",)}
    assert len(mail.outbox) == 3
    assert any(m.attachments for m in mail.outbox)
    assert any("Papers published" in m.subject for m in mail.outbox)


def test_the_guest_sees_part_1_and_admitted_items_of_that_meeting_only(
    client_of, published, exempt, board, alice
):
    other = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.SCHEDULED)
    services.guest_invite(
        meeting=published, actor=alice, email="gwen@consultants.example", full_name="Gwen Green"
    )
    guest = User.objects.get(email="gwen@consultants.example")
    paper = PaperFactory(meeting=published, title="Estates paper")
    exempt_paper = PaperFactory(meeting=published, agenda_item=exempt, title="Valuation")
    client = client_of(guest)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Depot valuation" not in page
    assert client.get(paper.get_absolute_url()).status_code == 200
    assert client.get(exempt_paper.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("meeting_list", args=[board.slug])).status_code == 404
    ExemptItemAdmission.objects.create(agenda_item=exempt, person=guest, admitted_by=alice)
    client = client_of(User.objects.get(pk=guest.pk))
    assert "Depot valuation" in client.get(published.get_absolute_url()).content.decode()
    assert client.get(exempt_paper.get_absolute_url()).status_code == 200


def test_the_guest_account_is_switched_off_after_the_meeting(published, alice):
    services.guest_invite(
        meeting=published, actor=alice, email="gwen@consultants.example", full_name="Gwen Green"
    )
    guest = User.objects.get(email="gwen@consultants.example")
    assert guest_accounts_expire(now=published.ends_at + timedelta(hours=1)) == 0
    assert guest_accounts_expire(now=published.ends_at + timedelta(days=2)) == 1
    guest.refresh_from_db()
    assert not guest.is_active
    assert GuestAccount.objects.get(person=guest).ended_at is not None


def test_a_person_with_an_account_is_invited_as_they_are(client_of, published, alice, pat):
    response = invite(client_of(alice), published, email=pat.email.upper(), name="Someone")
    assert response.status_code == 302
    assert published.invitations.get(person=pat).is_guest
    assert not GuestAccount.objects.exists()
    assert User.objects.filter(email=pat.email).count() == 1


def test_bad_input_stays_in_the_form(client_of, published, alice, bob):
    response = invite(client_of(alice), published, email="not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    response = invite(client_of(alice), published, email=bob.email)
    assert response.status_code == 200
    assert "Bob Baker is already invited." in response.content.decode()


def test_only_the_secretariat_invites_guests(client, client_of, published, bob, dave, charlie):
    url = reverse("guest_invite", args=[published.pk])
    assert client_of(dave).get(url).status_code == 403
    assert client_of(bob).post(url, {"full_name": "X", "email": "x@y.example"}).status_code == 403
    assert client_of(charlie).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert not User.objects.filter(email="x@y.example").exists()


def test_no_guest_is_invited_once_the_meeting_is_held(client_of, held, alice):
    response = invite(client_of(alice), held)
    assert response.status_code == 302
    assert not User.objects.filter(email="gwen@consultants.example").exists()
    assert timezone.now() > held.starts_at

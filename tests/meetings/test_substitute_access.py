"""A substitute named by the body, with their e-mail address, is invited to that one meeting as
a guest: its Part 1 papers only, never the exempt ones nor other meetings, ended after it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from boards.models import User
from meetings.guests import guest_accounts_expire
from meetings.models import GuestAccount, Meeting, MeetingInvitation
from tests.factories import MeetingFactory, PaperFactory

pytestmark = pytest.mark.django_db
Reply = MeetingInvitation.Reply
SUBSTITUTE = {
    "reply": "substitute",
    "substitute_name": "Jo Hale",
    "substitute_email": "jo.hale@fire.example",
}


def record_url(meeting, person):
    invitation = meeting.invitations.get(person=person)
    return reverse("reply_record", kwargs={"pk": meeting.pk, "invitation": invitation.pk})


def test_a_named_substitute_gets_a_guest_account_for_that_meeting(client_of, published, alice, bob):
    response = client_of(alice).post(record_url(published, bob), SUBSTITUTE)
    assert response.status_code == 302
    assert published.invitations.get(person=bob).reply == Reply.SUBSTITUTE
    substitute = User.objects.get(email="jo.hale@fire.example")
    assert substitute.full_name == "Jo Hale"
    assert not substitute.memberships.exists()
    assert GuestAccount.objects.get(person=substitute).meeting == published
    invitation = published.invitations.get(person=substitute)
    assert invitation.is_guest and not invitation.counts_for_quorum


def test_the_substitute_sees_part_1_papers_only_of_that_meeting(
    client_of, published, exempt, board, alice, bob
):
    other = MeetingFactory(board=board, created_by=alice, status=Meeting.Status.PAPERS_PUBLISHED)
    other_paper = PaperFactory(meeting=other, title="Other meeting's paper")
    paper = PaperFactory(meeting=published, title="Estates paper")
    exempt_paper = PaperFactory(meeting=published, agenda_item=exempt, title="Valuation")
    client_of(alice).post(record_url(published, bob), SUBSTITUTE)
    client = client_of(User.objects.get(email="jo.hale@fire.example"))
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Estates paper" in page
    assert "Depot valuation" not in page and "Valuation" not in page
    assert client.get(paper.get_absolute_url()).status_code == 200
    assert client.get(exempt_paper.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(other_paper.get_absolute_url()).status_code == 404


def test_the_substitutes_access_ends_after_the_meeting(client_of, published, alice, bob):
    client_of(alice).post(record_url(published, bob), SUBSTITUTE)
    substitute = User.objects.get(email="jo.hale@fire.example")
    assert guest_accounts_expire(now=published.ends_at + timedelta(hours=1)) == 0
    assert guest_accounts_expire(now=published.ends_at + timedelta(days=2)) == 1
    substitute.refresh_from_db()
    assert not substitute.is_active


def test_a_substitute_without_an_e_mail_gets_no_account(client_of, published, alice, bob):
    before = User.objects.count()
    data = {**SUBSTITUTE, "substitute_email": ""}
    assert client_of(alice).post(record_url(published, bob), data).status_code == 302
    assert published.invitations.get(person=bob).substitute_name == "Jo Hale"
    assert User.objects.count() == before
    assert not GuestAccount.objects.exists()


def test_an_e_mail_with_another_reply_invites_nobody(client_of, published, alice, bob):
    data = {**SUBSTITUTE, "reply": "apologies"}
    assert client_of(alice).post(record_url(published, bob), data).status_code == 302
    assert not User.objects.filter(email="jo.hale@fire.example").exists()


def test_recording_the_substitute_twice_invites_them_once(client_of, published, alice, bob):
    client_of(alice).post(record_url(published, bob), SUBSTITUTE)
    data = {**SUBSTITUTE, "substitute_email": "JO.HALE@fire.example"}
    assert client_of(alice).post(record_url(published, bob), data).status_code == 302
    assert User.objects.filter(email__iexact="jo.hale@fire.example").count() == 1
    assert GuestAccount.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not an address", "Enter a valid email address."),
        ("bob@fire.example", "That is the member&#x27;s own e-mail address"),
    ],
)
def test_bad_substitute_e_mails_stay_in_the_form(client_of, published, alice, bob, email, message):
    bob.email = "bob@fire.example"
    bob.save(update_fields=["email"])
    data = {**SUBSTITUTE, "substitute_email": email}
    response = client_of(alice).post(record_url(published, bob), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert published.invitations.get(person=bob).reply != Reply.SUBSTITUTE
    assert not GuestAccount.objects.exists()


def test_only_the_secretariat_names_a_substitute(
    client, client_of, published, alice, bob, dave, charlie
):
    url = record_url(published, bob)
    assert client_of(dave).post(url, SUBSTITUTE).status_code == 403
    assert client_of(bob).post(url, SUBSTITUTE).status_code == 403
    assert client_of(charlie).post(url, SUBSTITUTE).status_code == 404
    client.logout()
    assert client.post(url, SUBSTITUTE).status_code == 302
    assert not User.objects.filter(email="jo.hale@fire.example").exists()


def test_the_substitutes_access_ends_when_the_body_changes_its_mind(
    client_of, published, alice, bob
):
    url = record_url(published, bob)
    client_of(alice).post(url, SUBSTITUTE)
    substitute = User.objects.get(email="jo.hale@fire.example")
    assert published.invitations.get(person=bob).substitute == substitute
    client_of(alice).post(url, {"reply": "apologies"})
    substitute.refresh_from_db()
    assert not substitute.is_active
    assert GuestAccount.objects.get(person=substitute).ended_at is not None
    assert published.invitations.get(person=bob).substitute is None


def test_another_substitute_replaces_the_first(client_of, published, alice, bob):
    url = record_url(published, bob)
    client_of(alice).post(url, SUBSTITUTE)
    data = {
        "reply": "substitute",
        "substitute_name": "Sam Reed",
        "substitute_email": "sam@x.example",
    }
    client_of(alice).post(url, data)
    first = User.objects.get(email="jo.hale@fire.example")
    second = User.objects.get(email="sam@x.example")
    assert not first.is_active and second.is_active
    assert published.invitations.get(person=bob).substitute == second


def test_the_members_own_reply_ends_the_substitutes_access(client_of, published, alice, bob):
    client_of(alice).post(record_url(published, bob), SUBSTITUTE)
    client_of(bob).post(reverse("invitation_reply", args=[published.pk]), {"reply": "attending"})
    assert not User.objects.get(email="jo.hale@fire.example").is_active


def test_renaming_the_substitute_without_an_e_mail_keeps_their_access(
    client_of, published, alice, bob
):
    url = record_url(published, bob)
    client_of(alice).post(url, SUBSTITUTE)
    data = {**SUBSTITUTE, "substitute_name": "Jo Hale, station commander", "substitute_email": ""}
    client_of(alice).post(url, data)
    assert User.objects.get(email="jo.hale@fire.example").is_active

"""The register of interests (entered by the person, reviewed by the secretariat), declarations
prefilled from it, and disqualifying declarations that take a member out of an item's vote and
quorum."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from meetings.models import DeclarationOfInterest, MeetingInvitation, RegisteredInterest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entry_of(person, description="Director, Warwick Estates Ltd", **fields):
    values = {"category": "employment", "starts_on": date(2025, 1, 1)}
    values.update(fields)
    return RegisteredInterest.objects.create(person=person, description=description, **values)


# --- My register ---------------------------------------------------------------------------------


def test_a_member_enters_an_interest_in_her_register(client_of, bob):
    response = client_of(bob).post(
        reverse("interests_mine"),
        {
            "category": "property",
            "description": "Owns land at Budbrooke",
            "starts_on": "2024-05-01",
        },
    )
    assert response.status_code == 302
    entry = RegisteredInterest.objects.get()
    assert (entry.person, entry.reviewed_at) == (bob, None)
    page = client_of(bob).get(reverse("interests_mine")).content.decode()
    assert "Owns land at Budbrooke" in page
    assert "Not yet" in page


def test_an_interest_cannot_end_before_it_starts(client_of, bob):
    response = client_of(bob).post(
        reverse("interests_mine"),
        {
            "category": "property",
            "description": "Owns land",
            "starts_on": "2024-05-01",
            "ends_on": "2024-04-01",
        },
    )
    assert response.status_code == 200
    assert "The interest cannot end before it starts." in response.content.decode()
    assert not RegisteredInterest.objects.exists()


def test_a_person_sees_and_ends_only_her_own_entries(client_of, bob, owen):
    mine, theirs = entry_of(bob, "Bob shares"), entry_of(owen, "Owen shares")
    page = client_of(bob).get(reverse("interests_mine")).content.decode()
    assert "Bob shares" in page and "Owen shares" not in page
    assert client_of(bob).post(reverse("interest_end", args=[theirs.pk])).status_code == 404
    assert client_of(bob).post(reverse("interest_end", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.ends_on, theirs.ends_on) == (timezone.localdate(), None)


def test_someone_without_a_board_role_keeps_no_register(client, client_of, erin):
    assert client_of(erin).get(reverse("interests_mine")).status_code == 403
    client.logout()
    assert client.get(reverse("interests_mine")).status_code == 302


# --- The secretariat's review -------------------------------------------------------------------


def test_the_secretariat_reviews_a_members_entry(client_of, board, alice, bob):
    entry = entry_of(bob)
    page = client_of(alice).get(reverse("interests_review", args=[board.slug])).content.decode()
    assert "Director, Warwick Estates Ltd" in page
    response = client_of(alice).post(reverse("interest_review", args=[board.slug, entry.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.reviewed_by, entry.reviewed_at is not None) == (alice, True)
    assert AuditEvent.objects.filter(verb="interest_reviewed").count() == 1


def test_only_the_boards_secretariat_reviews(
    client, client_of, board, alice, bob, dave, charlie, erin
):
    entry = entry_of(bob)
    list_url = reverse("interests_review", args=[board.slug])
    review_url = reverse("interest_review", args=[board.slug, entry.pk])
    assert client_of(dave).get(list_url).status_code == 403
    assert client_of(bob).post(review_url).status_code == 403
    assert client_of(charlie).get(list_url).status_code == 404
    assert client_of(charlie).post(review_url).status_code == 404
    client.logout()
    assert client.get(list_url).status_code == 302
    entry.refresh_from_db()
    assert entry.reviewed_at is None


def test_another_boards_secretariat_cannot_review_an_entry_by_its_number(client_of, charlie, bob):
    entry = entry_of(bob)
    response = client_of(charlie).post(reverse("interest_review", args=["elsewhere", entry.pk]))
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.reviewed_at is None


def test_the_review_list_costs_the_same_queries_at_two_sizes(client_of, board, fire, alice):
    from boards.models import BoardMembership
    from tests.factories import MembershipFactory

    def add_members(count):
        for _ in range(count):
            person = UserFactory(organisation=fire)
            MembershipFactory(
                person=person, board=board, organisation=fire, role=BoardMembership.Role.MEMBER
            )
            entry_of(person)

    client = client_of(alice)
    url = reverse("interests_review", args=[board.slug])
    client.get(url)
    add_members(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_members(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


# --- Declarations from the register, and what a disqualifying one changes ------------------------


def test_a_declaration_is_prefilled_from_the_register(client_of, published, bob):
    entry = entry_of(bob)
    ended = entry_of(bob, "Former councillor", ends_on=date(2025, 6, 1))
    url = reverse("declaration_add", kwargs={"pk": published.pk})
    form = client_of(bob).get(url).context["form"]
    assert list(form.fields["register_entry"].queryset) == [entry]
    assert ended not in form.fields["register_entry"].queryset
    item = published.items.get()
    response = client_of(bob).post(url, {"register_entry": entry.pk, "agenda_item": item.pk})
    assert response.status_code == 302
    declaration = DeclarationOfInterest.objects.get()
    assert (declaration.nature, declaration.register_entry) == (entry.description, entry)


def test_a_declaration_needs_a_nature_or_an_entry(client_of, published, bob):
    url = reverse("declaration_add", kwargs={"pk": published.pk})
    response = client_of(bob).post(url, {"nature": " "})
    assert response.status_code == 200
    assert "Describe the interest, or choose it from the register." in response.content.decode()


def test_the_secretariat_cannot_declare_from_someone_elses_register(
    client_of, published, alice, bob, dave
):
    entry = entry_of(bob)
    url = reverse("declaration_add", kwargs={"pk": published.pk})
    response = client_of(alice).post(url, {"person": dave.pk, "register_entry": entry.pk})
    assert response.status_code == 200
    assert "declarer&#x27;s own register" in response.content.decode()
    assert not DeclarationOfInterest.objects.exists()


def test_a_disqualifying_interest_makes_the_item_inquorate_and_the_page_says_so(
    client_of, held, alice, bob, dave
):
    held.invitations.update(attendance=MeetingInvitation.Attendance.PRESENT)
    item = held.items.get()
    page = client_of(alice).get(held.get_absolute_url()).content.decode()
    assert "Quorate: 2 member bodies" in page
    assert "inquorate" not in page
    # Bob is the only Fire member present: with him out, only the Police are represented.
    response = client_of(alice).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {
            "person": bob.pk,
            "agenda_item": item.pk,
            "nature": "Owns the site",
            "disqualifying": "on",
        },
    )
    assert response.status_code == 302
    page = client_of(alice).get(held.get_absolute_url()).content.decode()
    assert f"Item 1, {item.title}, was inquorate" in page
    assert "with Bob Baker taking no part" in page
    assert "1 member body (Police) is represented; 2 needed" in re.sub(r"</?abbr[^>]*>", "", page)


def test_a_disqualifying_interest_before_the_meeting_is_forecast(
    client_of, published, alice, bob, dave
):
    MeetingInvitation.objects.filter(meeting=published).update(
        reply=MeetingInvitation.Reply.ATTENDING
    )
    DeclarationOfInterest.objects.create(
        meeting=published,
        agenda_item=published.items.get(),
        person=bob,
        nature="Owns the site",
        disqualifying=True,
        recorded_by=alice,
    )
    page = client_of(dave).get(published.get_absolute_url()).content.decode()
    assert "would be inquorate" in page


def test_a_disqualifying_interest_is_declared_at_an_item(client_of, published, bob):
    response = client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": published.pk}),
        {"nature": "Owns the site", "disqualifying": "on"},
    )
    assert response.status_code == 200
    assert "declared at an agenda item" in response.content.decode()


def test_an_entry_in_force_is_one_whose_dates_cover_the_day(bob):
    entry = entry_of(bob, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    assert entry.in_force_on(date(2025, 6, 1))
    assert not entry.in_force_on(date(2026, 1, 1))
    assert not entry.in_force_on(date(2024, 12, 31))

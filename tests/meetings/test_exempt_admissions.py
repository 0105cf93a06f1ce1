"""The secretariat admits a named guest or observer to a named exempt item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from meetings.models import ExemptItemAdmission
from tests.factories import AgendaItemFactory, PaperFactory, UserFactory

from .helpers import invite_board

pytestmark = pytest.mark.django_db


def admissions_url(meeting):
    return reverse("exempt_admissions", kwargs={"pk": meeting.pk})


def test_the_secretariat_admits_a_guest_to_one_item(client_of, published, exempt, alice, erin):
    other = AgendaItemFactory(meeting=published, position=3, title="Pay talks", confidential=True)
    response = client_of(alice).post(
        admissions_url(published), {"agenda_item": exempt.pk, "person": erin.pk}
    )
    assert response.status_code == 302
    admission = ExemptItemAdmission.objects.get()
    assert (admission.person, admission.agenda_item, admission.admitted_by) == (erin, exempt, alice)
    assert AuditEvent.objects.filter(verb="exempt_admission_added").exists()
    paper = PaperFactory(meeting=published, agenda_item=exempt, title="Valuation report")
    page = client_of(erin).get(published.get_absolute_url()).content.decode()
    assert "Depot valuation" in page
    assert "Valuation report" in page
    assert "Pay talks" not in page
    assert client_of(erin).get(paper.get_absolute_url()).status_code == 200
    assert other.title not in client_of(erin).get(reverse("search") + "?q=Pay").content.decode()


def test_a_member_who_sees_exempt_business_already_is_not_offered(
    client_of, published, exempt, alice, bob
):
    response = client_of(alice).post(
        admissions_url(published), {"agenda_item": exempt.pk, "person": bob.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExemptItemAdmission.objects.exists()


def test_a_person_not_invited_cannot_be_admitted(client_of, published, exempt, alice, pat):
    response = client_of(alice).post(
        admissions_url(published), {"agenda_item": exempt.pk, "person": pat.pk}
    )
    assert response.status_code == 200
    assert not ExemptItemAdmission.objects.exists()


def test_an_open_item_is_not_offered(client_of, published, exempt, alice, erin):
    open_item = published.items.get(confidential=False)
    response = client_of(alice).post(
        admissions_url(published), {"agenda_item": open_item.pk, "person": erin.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_secretariat_withdraws_an_admission(client_of, published, exempt, alice, erin):
    admission = ExemptItemAdmission.objects.create(
        agenda_item=exempt, person=erin, admitted_by=alice
    )
    url = reverse("exempt_admission_remove", kwargs={"pk": published.pk, "admission": admission.pk})
    assert client_of(alice).post(url).status_code == 302
    admission.refresh_from_db()  # kept, as the record of who could see the item and when
    assert admission.revoked_by == alice and admission.revoked_at is not None
    assert not ExemptItemAdmission.objects.in_force().exists()
    assert AuditEvent.objects.filter(verb="exempt_admission_removed").count() == 1
    assert (
        "Depot valuation" not in client_of(erin).get(published.get_absolute_url()).content.decode()
    )
    page = client_of(alice).get(admissions_url(published)).content.decode()
    assert "Nobody is admitted to an exempt item of this meeting." in page
    # Withdrawn already: a second withdrawal finds nothing to withdraw.
    assert client_of(alice).post(url).status_code == 404
    assert AuditEvent.objects.filter(verb="exempt_admission_removed").count() == 1


def test_a_withdrawn_guest_can_be_admitted_again(client_of, published, exempt, alice, erin):
    first = ExemptItemAdmission.objects.create(agenda_item=exempt, person=erin, admitted_by=alice)
    client_of(alice).post(
        reverse("exempt_admission_remove", kwargs={"pk": published.pk, "admission": first.pk})
    )
    response = client_of(alice).post(
        admissions_url(published), {"agenda_item": exempt.pk, "person": erin.pk}
    )
    assert response.status_code == 302
    assert ExemptItemAdmission.objects.filter(person=erin).count() == 2
    assert ExemptItemAdmission.objects.in_force().get().pk != first.pk
    assert "Depot valuation" in client_of(erin).get(published.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["exempt_admissions", "exempt_admission_remove"])
def test_only_the_secretariat_manages_admissions(
    client, client_of, published, exempt, alice, bob, dave, charlie, erin, name
):
    admission = ExemptItemAdmission.objects.create(
        agenda_item=exempt, person=erin, admitted_by=alice
    )
    kwargs = {"pk": published.pk}
    if name == "exempt_admission_remove":
        kwargs["admission"] = admission.pk
    url = reverse(name, kwargs=kwargs)
    method = "post" if name == "exempt_admission_remove" else "get"
    for person in (bob, dave):  # a member and the chair: not the secretariat
        assert getattr(client_of(person), method)(url).status_code == 403
    assert getattr(client_of(charlie), method)(url).status_code == 404
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert ExemptItemAdmission.objects.count() == 1
    assert getattr(client_of(alice), method)(url).status_code in (200, 302)


def test_the_admissions_list_costs_the_same_queries_at_two_sizes(
    client_of, published, exempt, alice
):
    def add_guests(count):
        guests = [UserFactory() for _ in range(count)]
        invite_board(published, guests=guests)
        for guest in guests:
            ExemptItemAdmission.objects.create(agenda_item=exempt, person=guest, admitted_by=alice)

    client = client_of(alice)
    client.get(admissions_url(published))  # the first request of a session costs a few more
    add_guests(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(admissions_url(published)).status_code == 200
    add_guests(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(admissions_url(published)).status_code == 200
    assert len(large) == len(small)

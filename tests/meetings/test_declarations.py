"""Declarations of interest, for the whole meeting or one item."""

import pytest
from django.urls import reverse

from meetings.models import DeclarationOfInterest

pytestmark = pytest.mark.django_db


def test_an_invitee_declares_their_own_interest(client_of, held, bob):
    item = held.items.get()
    client_of(bob).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {"agenda_item": item.pk, "nature": "My spouse works for the contractor."},
    )
    declaration = DeclarationOfInterest.objects.get()
    assert (declaration.person, declaration.agenda_item, declaration.recorded_by) == (
        bob,
        item,
        bob,
    )


def test_secretariat_records_a_declaration_for_an_invitee(client_of, held, alice, dave):
    client_of(alice).post(
        reverse("declaration_add", kwargs={"pk": held.pk}),
        {"person": dave.pk, "agenda_item": "", "nature": "Trustee of a local charity."},
    )
    declaration = DeclarationOfInterest.objects.get()
    assert (declaration.person, declaration.recorded_by, declaration.agenda_item) == (
        dave,
        alice,
        None,
    )
    body = client_of(alice).get(held.get_absolute_url()).content.decode()
    assert "Trustee of a local charity." in body

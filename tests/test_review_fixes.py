"""Bad input and edge cases found in review: each must give a page, never an error."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from boards import services as board_services
from boards.models import PersonInvitation
from opportunities import services
from opportunities.models import Opportunity, Referral, ReferralDocument, Status
from tests.factories import UserFactory
from tests.opportunities.helpers import decide, referral_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["²", "BLC-²", "BLC-٣"])
def test_searching_for_a_non_ascii_digit_is_not_an_error(client_of, bob, opportunity, text):
    response = client_of(bob).get(reverse("register_list"), {"q": text})
    assert response.status_code == 200


def test_a_non_ascii_agenda_item_number_is_ignored(client_of, alice, assessed):
    url = reverse("recommendation_new", kwargs={"pk": assessed.pk})
    assert client_of(alice).get(url, {"item": "²"}).status_code == 200


def test_an_edit_does_not_put_back_a_status_that_moved_meanwhile(alice, opportunity):
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.opportunity_transition(
        opportunity=opportunity, actor=alice, to=Status.UNDER_ASSESSMENT
    )
    services.opportunity_update(opportunity=stale, actor=alice, title="Renamed")
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.status) == ("Renamed", Status.UNDER_ASSESSMENT)


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


def test_a_missing_decision_document_is_a_not_found_page(client_of, bob, referred, fire, erin):
    referral = referral_for(referred, fire)
    upload = SimpleUploadedFile("minute.pdf", b"%PDF-1.4\n%%EOF\n")
    from core.uploads import PDF

    decide(referral, erin, documents=[(upload, PDF)])
    document = ReferralDocument.objects.get()
    document.file.delete(save=False)
    response = client_of(bob).get(reverse("referral_document", kwargs={"pk": document.pk}))
    assert response.status_code == 404
    assert "file is missing" in response.content.decode()


@pytest.mark.parametrize("model", [Opportunity, Referral])
def test_recorded_decisions_cannot_be_deleted_in_the_admin(model):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert not admin.site._registry[model].has_delete_permission(request)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's claim
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy appended the client
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is ignored
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),  # two proxies
        (2, "", "10.0.0.1"),  # fewer entries than proxies: fall back to the connection
    ],
)
def test_the_client_address_behind_proxies(settings, hops, forwarded, expected):
    from core.client_address import client_ip

    settings.PROXY_COUNT = hops
    request = RequestFactory().post(
        "/sign-in/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_ip(request) == expected


def test_two_people_behind_one_proxy_are_locked_out_separately(client, bob, settings):
    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "bob@fire.example", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    from tests.factories import PASSWORD

    locked = client.post(
        reverse("login"),
        {"username": "bob@fire.example", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "bob@fire.example", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302

"""Delivery milestones of an approved collaboration: kept by the secretariat or the lead
officer, refused to everyone else, edited without overwriting someone else's change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from opportunities.milestone_services import milestone_add
from opportunities.models import Milestone, Opportunity, Status

pytestmark = pytest.mark.django_db


def list_url(opportunity) -> str:
    return reverse("milestone_list", kwargs={"pk": opportunity.pk})


def edit_url(milestone) -> str:
    return reverse(
        "milestone_edit", kwargs={"pk": milestone.opportunity_id, "milestone": milestone.pk}
    )


def due(days: int = 60) -> dict[str, str]:
    day = timezone.localdate() + timedelta(days=days)
    return {
        "due_on_day": str(day.day),
        "due_on_month": str(day.month),
        "due_on_year": str(day.year),
    }


def form(title="Staff moved to the shared station", percent="25", **extra) -> dict[str, str]:
    return {"title": title, "percent_complete": percent, "description": "", **due(), **extra}


@pytest.fixture
def milestone(in_delivery, alice):
    return milestone_add(
        opportunity=in_delivery,
        actor=alice,
        title="Site chosen",
        due_on=timezone.localdate() + timedelta(days=10),
        percent_complete=50,
    )


def test_the_secretariat_adds_a_milestone(client_of, alice, in_delivery):
    response = client_of(alice).post(list_url(in_delivery), form())
    assert response.status_code == 302
    added = Milestone.objects.get(opportunity=in_delivery)
    assert added.title == "Staff moved to the shared station" and added.percent_complete == 25
    event = AuditEvent.objects.for_subject(in_delivery).get(verb="milestone_added")
    assert event.actor == alice


def test_the_lead_officer_adds_a_milestone(client_of, owen, in_delivery):
    assert client_of(owen).post(list_url(in_delivery), form()).status_code == 302
    assert Milestone.objects.filter(opportunity=in_delivery).count() == 1


def test_a_member_without_the_role_may_not(client_of, bob, in_delivery):
    client = client_of(bob)
    assert client.get(list_url(in_delivery)).status_code == 403
    assert client.post(list_url(in_delivery), form()).status_code == 403
    assert not Milestone.objects.exists()


def test_a_person_of_another_body_does_not_find_it(client_of, charlie, in_delivery):
    response = client_of(charlie).post(list_url(in_delivery), form())
    assert response.status_code == 404
    assert not Milestone.objects.exists()


def test_an_executive_who_sees_nothing_of_it_does_not_find_it(client_of, erin, in_delivery):
    assert client_of(erin).get(list_url(in_delivery)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, in_delivery):
    response = client.get(list_url(in_delivery))
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(percent="101"), "Enter a number from 0 to 100."),
        (form(percent="-1"), "Enter a number from 0 to 100."),
        (form(percent="half"), "Enter a whole number from 0 to 100."),
        (form(title="   "), "Enter the title"),
        ({**form(), "due_on_month": "13"}, "must be a real date"),
        ({**form(), "due_on_year": "2070"}, "Give a date within 10 years of today."),
    ],
)
def test_bad_input_is_explained_in_the_page(client_of, alice, in_delivery, data, message):
    response = client_of(alice).post(list_url(in_delivery), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Milestone.objects.exists()


def test_no_milestone_before_approval(client_of, alice, make_opportunity):
    proposed = make_opportunity()
    response = client_of(alice).post(list_url(proposed), form(), follow=True)
    assert "milestones are kept for approved collaborations" in response.content.decode()
    assert not Milestone.objects.exists()


def test_the_secretariat_updates_a_milestone(client_of, alice, milestone):
    client = client_of(alice)
    page = client.get(edit_url(milestone))
    version = page.context["form"]["version"].value()
    data = form(title="Site chosen", percent="100", version=version)
    assert client.post(edit_url(milestone), data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.percent_complete == 100
    event = AuditEvent.objects.for_subject(milestone).get(verb="edited")
    assert event.after == {"percent_complete": 100, "due_on": milestone.due_on.isoformat()}


def test_a_stale_edit_is_refused_and_names_the_change(client_of, alice, owen, milestone):
    stale = client_of(alice).get(edit_url(milestone)).context["form"]["version"].value()
    owen_client = client_of(owen)
    fresh = owen_client.get(edit_url(milestone)).context["form"]["version"].value()
    owen_client.post(edit_url(milestone), form(title="Site chosen", percent="75", version=fresh))
    response = client_of(alice).post(
        edit_url(milestone), form(title="Site chosen", percent="10", version=stale)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "was changed by someone else" in body and owen.full_name in body
    milestone.refresh_from_db()
    assert milestone.percent_complete == 75


def test_a_milestone_under_another_opportunitys_address_is_not_found(
    client_of, alice, milestone, make_opportunity, deliver
):
    other = deliver(make_opportunity(title="Another scheme"))
    url = reverse("milestone_edit", kwargs={"pk": other.pk, "milestone": milestone.pk})
    assert client_of(alice).get(url).status_code == 404


def test_a_milestone_is_never_deleted(milestone):
    from core.deletion import DeletionRefused

    with pytest.raises(DeletionRefused):
        milestone.delete()


def test_the_opportunity_page_shows_the_milestones_and_a_link_for_those_who_keep_them(
    client_of, alice, bob, milestone
):
    opportunity = milestone.opportunity
    staff = client_of(alice).get(opportunity.get_absolute_url()).content.decode()
    assert "Site chosen" in staff and list_url(opportunity) in staff
    member = client_of(bob).get(opportunity.get_absolute_url()).content.decode()
    assert "Site chosen" in member and list_url(opportunity) not in member


def test_a_closed_collaborations_milestones_are_kept_as_they_were(client_of, alice, milestone):
    Opportunity.objects.filter(pk=milestone.opportunity_id).update(status=Status.CLOSED)
    response = client_of(alice).post(
        edit_url(milestone), form(title="Changed", percent="90", version="x"), follow=True
    )
    assert "milestones are kept for approved collaborations" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Site chosen"

"""No lost updates to memberships: the administration site's membership form, opened on an older
version, is refused naming who changed what since; a form opened now saves, on the trail."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from boards.models import BoardMembership
from tests.factories import UserFactory
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db

REFUSED = "was changed by someone else after you opened this page"


@pytest.fixture
def administrator(client):
    person = UserFactory(
        full_name="Ada Admin", email="admin@example.org", is_staff=True, is_superuser=True
    )
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    pass_second_factor(client, person)
    return person


def change_url(membership):
    return reverse("admin:boards_boardmembership_change", args=[membership.pk])


def posted(membership, **changes):
    data = {
        "person": membership.person_id,
        "board": membership.board_id,
        "organisation": membership.organisation_id,
        "role": membership.role,
        "starts_on": membership.starts_on.isoformat(),
        "ends_on": "",
    }
    return {**data, **changes}


def opened_version(client, membership):
    response = client.get(change_url(membership))
    assert response.status_code == 200
    return response.context["adminform"].form["version"].value()


def test_a_stale_membership_change_is_refused_naming_the_newer_one(client, administrator, bob):
    membership = BoardMembership.objects.get(person=bob)
    version = opened_version(client, membership)
    first = client.post(
        change_url(membership), {**posted(membership, ends_on="2027-03-31"), "version": version}
    )
    assert first.status_code == 302
    response = client.post(
        change_url(membership), {**posted(membership, role="adviser"), "version": version}
    )
    body = response.content.decode()
    assert response.status_code == 200 and REFUSED in body
    assert "Ada Admin" in body and "31 March 2027" in body
    membership.refresh_from_db()
    assert (membership.role, str(membership.ends_on)) == ("member", "2027-03-31")


def test_a_fresh_membership_change_saves_and_is_on_its_trail(client, administrator, bob):
    membership = BoardMembership.objects.get(person=bob)
    version = opened_version(client, membership)
    response = client.post(
        change_url(membership), {**posted(membership, role="adviser"), "version": version}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "adviser"
    event = AuditEvent.objects.for_subject(membership).get()
    assert (event.actor, event.after) == (administrator, {"role": "adviser"})


def test_a_stale_change_among_a_persons_roles_is_refused(client, administrator, bob):
    membership = BoardMembership.objects.get(person=bob)
    url = reverse("admin:boards_user_change", args=[bob.pk])
    page = client.get(url)
    inline = page.context["inline_admin_formsets"][0]
    version = inline.formset.forms[0]["version"].value()
    BoardMembership.objects.filter(pk=membership.pk).update(ends_on="2027-01-31")
    BoardMembership.objects.get(pk=membership.pk).save()  # a newer save
    data = {
        "email": bob.email,
        "full_name": bob.full_name,
        "job_title": bob.job_title,
        "organisation": bob.organisation_id,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": bob.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": bob.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": membership.pk,
        "memberships-0-person": bob.pk,
        "memberships-0-board": membership.board_id,
        "memberships-0-organisation": membership.organisation_id,
        "memberships-0-role": "observer",
        "memberships-0-starts_on": membership.starts_on.isoformat(),
        "memberships-0-ends_on": "",
        "memberships-0-version": version,
        "authorities-TOTAL_FORMS": "0",
        "authorities-INITIAL_FORMS": "0",
        "authorities-MIN_NUM_FORMS": "0",
        "authorities-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and REFUSED in response.content.decode()
    membership.refresh_from_db()
    assert (membership.role, str(membership.ends_on)) == ("member", "2027-01-31")

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client, alice, bob, erin):
    person = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    pass_second_factor(client, person)
    return client


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label == "boards"],
    ids=lambda m: m.__name__,
)
def test_each_model_has_a_searchable_filterable_changelist(administrator, model):
    url = reverse(f"admin:boards_{model._meta.model_name}_changelist")
    assert administrator.get(url).status_code == 200
    assert administrator.get(url, {"q": "fire"}).status_code == 200


def test_person_change_page_shows_memberships_and_authority(administrator, erin):
    response = administrator.get(reverse("admin:boards_user_change", args=[erin.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Board memberships" in body
    assert "Executive authorities" in body


def test_board_member_without_administrator_rights_cannot_use_admin(client_of, alice):
    response = client_of(alice).get(reverse("admin:boards_user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

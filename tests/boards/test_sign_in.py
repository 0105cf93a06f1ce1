import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_person_signs_in_with_email_and_password_and_reaches_home(client, bob):
    response = sign_in(client, "bob@fire.example", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Welcome, Bob" in client.get(reverse("home")).content.decode()


def test_email_is_matched_whatever_its_case(client, bob):
    response = sign_in(client, "Bob@Fire.EXAMPLE", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client, bob):
    response = sign_in(client, "bob@fire.example", "not-the-password")
    assert response.status_code == 200
    assert "The email address or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There are problems with what you entered" in body
    assert 'href="#id_username"' in body


def test_deactivated_person_cannot_sign_in(client):
    UserFactory(email="gone@example.org", is_active=False)
    response = sign_in(client, "gone@example.org", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_with_a_clear_message(client, bob, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "bob@fire.example", "wrong-password")
    locked = sign_in(client, "bob@fire.example", PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "reset your password" in body
    assert "_auth_user_id" not in client.session


def test_lock_out_of_one_account_does_not_lock_another(client, bob, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "bob@fire.example", "wrong-password")
    response = sign_in(client, "alice@police.example", PASSWORD)
    assert response.status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_person_in(client, bob, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "bob@fire.example", "wrong-password")
    assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client_of, bob):
    client = client_of(bob)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_signed_in_person_visiting_sign_in_goes_home(client_of, bob):
    response = client_of(bob).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sign_in_does_not_redirect_to_another_site(client, bob):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "bob@fire.example", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_two_people_behind_one_proxy_are_locked_out_separately(client, bob, settings):
    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "bob@fire.example", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
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

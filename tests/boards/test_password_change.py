import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = reverse("password_change")


def test_person_changes_their_password(client_of, bob):
    response = client_of(bob).post(
        URL,
        {
            "old_password": PASSWORD,
            "new_password1": "a-fresh-long-secret-4",
            "new_password2": "a-fresh-long-secret-4",
        },
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a-fresh-long-secret-4")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "old_password": "wrong",
                "new_password1": "a-fresh-long-secret-4",
                "new_password2": "a-fresh-long-secret-4",
            },
            "Your old password was entered incorrectly",
        ),
        (
            {
                "old_password": PASSWORD,
                "new_password1": "password123",
                "new_password2": "password123",
            },
            "This password is too common",
        ),
        (
            {
                "old_password": PASSWORD,
                "new_password1": "a-fresh-long-secret-4",
                "new_password2": "another-long-secret-5",
            },
            "The two password fields didn",
        ),
    ],
    ids=["wrong old password", "common password", "mismatch"],
)
def test_bad_input_is_refused_and_the_password_kept(client_of, bob, data, message):
    response = client_of(bob).post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")

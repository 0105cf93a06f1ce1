"""The sign-in lock-out holds: usernames normalised, counted per account and per address, never
renewed by attempts during it, on the portal's sign-in page and on /admin/login/ alike."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.usernames import normalise_username
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

VARIANTS = [
    "bob@fire.example",
    "Bob@Fire.Example",
    "BOB@FIRE.EXAMPLE",
    "  bob@fire.example  ",
    "\tBob@fire.example\n",
    "bob@fire.example\u200b",
]


def sign_in(client, username, password, address="198.51.100.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def lock_bob(client, settings, address="198.51.100.1"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "bob@fire.example", "wrong-password", address)


def test_usernames_are_normalised_for_case_spaces_and_invisible_characters():
    assert normalise_username("  Tom.Reid@OPCC.example ") == "tom.reid@opcc.example"
    assert normalise_username("tom. reid@opcc.example") == "tom.reid@opcc.example"
    assert normalise_username("tom.reid\u200b@opcc.example") == "tom.reid@opcc.example"
    assert normalise_username(None) == ""


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_case_and_space_variant_of_a_locked_username_is_refused(
    client, bob, settings, variant
):
    lock_bob(client, settings)
    response = sign_in(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_typed_in_different_spellings_add_up_to_one_lock_out(client, bob, settings):
    for variant in VARIANTS[1 : settings.AXES_FAILURE_LIMIT + 1]:
        sign_in(client, variant, "wrong-password")
    assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 429


def test_forty_guesses_from_ten_addresses_lock_the_account(client, bob, settings):
    for guess in range(40):
        sign_in(client, "bob@fire.example", f"guess-{guess}", f"203.0.113.{guess % 10 + 1}")
    # Even the right password, from an address that never failed, is refused.
    response = sign_in(client, "bob@fire.example", PASSWORD, "192.0.2.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_account_lock_out_comes_at_the_account_limit(client, bob, settings):
    for guess in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT - 1):
        sign_in(client, "bob@fire.example", "wrong", f"203.0.113.{guess + 1}")
    assert sign_in(client, "bob@fire.example", PASSWORD, "192.0.2.200").status_code == 302


def test_forty_usernames_from_one_address_lock_that_address(client, bob, settings):
    for n in range(40):
        sign_in(client, f"person{n}@example.org", "guess", "203.0.113.50")
    assert sign_in(client, "bob@fire.example", PASSWORD, "203.0.113.50").status_code == 429
    # Another address is not affected.
    assert sign_in(client, "bob@fire.example", PASSWORD, "192.0.2.200").status_code == 302


def test_attempts_during_a_lock_out_do_not_renew_it(client, bob, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock_bob(client, settings)
    cool_off = settings.SIGN_IN_LOCKOUT_FIRST
    with time_machine.travel(start + cool_off - timedelta(minutes=1), tick=False):
        for _ in range(3):
            assert sign_in(client, "Bob@fire.example", "wrong").status_code == 429
    with time_machine.travel(start + cool_off + timedelta(minutes=1), tick=False):
        assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 302


def test_lock_out_page_is_the_same_for_an_account_that_does_not_exist(client, bob, settings):
    lock_bob(client, settings)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "nobody@fire.example", "wrong-password")
    existing = sign_in(client, "bob@fire.example", PASSWORD)
    missing = sign_in(client, "nobody@fire.example", PASSWORD)
    assert existing.status_code == missing.status_code == 429
    assert existing.content == missing.content


def test_success_does_not_clear_the_address_failures_against_other_accounts(
    client, bob, alice, settings
):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(5):
        sign_in(client, f"person{n}@example.org", "guess", "203.0.113.50")
    assert sign_in(client, "alice@police.example", PASSWORD, "203.0.113.50").status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "person9@example.org", "guess", "203.0.113.50")
    assert sign_in(client, "bob@fire.example", PASSWORD, "203.0.113.50").status_code == 429


# --- /admin/login/ ------------------------------------------------------------------------------


@pytest.fixture
def administrator(db):
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


def admin_sign_in(client, username, password, address="198.51.100.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize(
    "variant", ["admin@example.org", "Admin@Example.org", " ADMIN@example.org "]
)
def test_admin_login_refuses_every_variant_of_a_locked_username(
    client, administrator, settings, variant
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, "admin@example.org", "wrong-password")
    response = admin_sign_in(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_is_locked_by_guesses_typed_on_the_portal_sign_in(
    client, administrator, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ADMIN@example.org", "wrong-password")
    assert admin_sign_in(client, "admin@example.org", PASSWORD).status_code == 429


def test_admin_login_locks_the_account_across_addresses(client, administrator, settings):
    for guess in range(40):
        admin_sign_in(client, "Admin@example.org", f"guess-{guess}", f"203.0.113.{guess % 10 + 1}")
    assert admin_sign_in(client, "admin@example.org", PASSWORD, "192.0.2.9").status_code == 429


def test_admin_signs_in_when_not_locked(client, administrator):
    response = admin_sign_in(client, " Admin@Example.org ", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# --- password reset limits ----------------------------------------------------------------------


def ask_for_reset(client, email, address, capture):
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_emails_are_limited_per_account(
    client, bob, settings, django_capture_on_commit_callbacks
):
    for n in range(10):
        response = ask_for_reset(
            client, "Bob@fire.example", f"203.0.113.{n + 1}", django_capture_on_commit_callbacks
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == settings.PASSWORD_RESET_ACCOUNT_LIMIT


def test_password_reset_requests_are_limited_per_address(
    client, settings, django_capture_on_commit_callbacks
):
    people = [UserFactory(email=f"reader{n}@example.org") for n in range(15)]
    for person in people:
        ask_for_reset(client, person.email, "203.0.113.7", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == settings.PASSWORD_RESET_ADDRESS_LIMIT
    # Another address still gets its e-mail.
    ask_for_reset(client, people[0].email, "192.0.2.1", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == settings.PASSWORD_RESET_ADDRESS_LIMIT + 1


def test_password_reset_over_the_limit_gives_the_same_answer_as_for_no_account(
    client, bob, settings, django_capture_on_commit_callbacks
):
    for _ in range(settings.PASSWORD_RESET_ACCOUNT_LIMIT):
        ask_for_reset(client, "bob@fire.example", "203.0.113.1", django_capture_on_commit_callbacks)
    limited = client.get(
        ask_for_reset(
            client, "bob@fire.example", "203.0.113.1", django_capture_on_commit_callbacks
        )["Location"]
    )
    unknown = client.get(
        ask_for_reset(
            client, "nobody@fire.example", "203.0.113.2", django_capture_on_commit_callbacks
        )["Location"]
    )
    assert limited.content == unknown.content


# --- repeated lock-outs ---------------------------------------------------------------------------


def test_each_new_lock_out_of_an_account_lasts_twice_as_long(client, bob, settings):
    first = settings.SIGN_IN_LOCKOUT_FIRST
    start = timezone.now()
    at = start
    for lock_out, length in enumerate([first, 2 * first, 4 * first], start=1):
        with time_machine.travel(at, tick=False):
            lock_bob(client, settings)
            assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 429
        with time_machine.travel(at + length - timedelta(minutes=1), tick=False):
            assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 429, lock_out
        at = at + length + timedelta(minutes=1)
    with time_machine.travel(at, tick=False):
        response = sign_in(client, "bob@fire.example", PASSWORD)
    assert response.status_code == 302


def test_the_lock_out_stops_growing_at_the_longest(settings):
    from boards.lockout import lock_out_for

    settings.SIGN_IN_LOCKOUT_FIRST = timedelta(minutes=15)
    settings.SIGN_IN_LOCKOUT_LONGEST = timedelta(hours=24)
    assert [lock_out_for(n) for n in (0, 1, 2, 3)] == [
        timedelta(minutes=15),
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
    ]
    assert lock_out_for(8) == timedelta(hours=24)  # 15 min x 128 would be 32 hours
    assert lock_out_for(500) == timedelta(hours=24)


def test_lock_outs_older_than_a_day_are_forgotten(client, bob, settings):
    first = settings.SIGN_IN_LOCKOUT_FIRST
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock_bob(client, settings)
    later = start + settings.SIGN_IN_LOCKOUT_MEMORY + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        lock_bob(client, settings)
    with time_machine.travel(later + first + timedelta(minutes=1), tick=False):
        assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 302


def test_another_account_signing_in_does_not_end_a_longer_lock_out(client, bob, alice, settings):
    first = settings.SIGN_IN_LOCKOUT_FIRST
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock_bob(client, settings)
    second = start + first + timedelta(minutes=1)
    with time_machine.travel(second, tick=False):
        lock_bob(client, settings)  # the second lock-out: twice as long
    with time_machine.travel(second + first + timedelta(minutes=1), tick=False):
        assert sign_in(client, "alice@police.example", PASSWORD, "192.0.2.7").status_code == 302
        client.post(reverse("logout"))
        assert sign_in(client, "bob@fire.example", PASSWORD).status_code == 429

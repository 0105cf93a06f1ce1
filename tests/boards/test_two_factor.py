"""Second factors: set-up with a QR code and recovery codes, sign-in with a code, who must have
one, the lock-out on wrong codes, and step-up before a decision or an approval."""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from boards.two_factor import VERIFIED_AT
from meetings.models import Meeting
from opportunities.models import Referral
from tests.check_answers import post_and_confirm
from tests.factories import PASSWORD, UserFactory
from tests.opportunities.helpers import referral_for
from tests.two_factor import authenticator_of, code_of, pass_second_factor

pytestmark = pytest.mark.django_db
SET_UP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")


def sign_in(client, person):
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return client.get(reverse("home"))


def enter(client, code, next_url="/"):
    return client.post(f"{VERIFY}?next={next_url}", {"otp_token": code})


# --- who must have one ---------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["alice", "dave", "erin"])
def test_the_secretariat_chairs_and_executives_must_set_one_up(client, person, request):
    response = sign_in(client, request.getfixturevalue(person))
    assert response.status_code == 302
    assert response.url.startswith(SET_UP)
    # Every other signed-in page sends them there too.
    assert client.get(reverse("register_list")).url.startswith(SET_UP)


def test_administrators_must_set_one_up_before_the_admin(client, police):
    admin = UserFactory(is_staff=True, is_superuser=True, organisation=police)
    sign_in(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(SET_UP)


def test_a_member_may_sign_in_with_a_password_alone(client, bob):
    assert sign_in(client, bob).status_code == 200


def test_a_board_can_require_it_of_everyone(client, bob, board):
    board.two_factor_for_everyone = True
    board.save()
    response = sign_in(client, bob)
    assert response.status_code == 302 and response.url.startswith(SET_UP)


def test_a_member_who_set_one_up_is_asked_for_it(client, bob):
    authenticator_of(bob)
    response = sign_in(client, bob)
    assert response.status_code == 302 and response.url.startswith(VERIFY)


# --- setting it up -------------------------------------------------------------------------------


def test_set_up_with_the_qr_code_gives_recovery_codes(client, alice):
    sign_in(client, alice)
    page = client.get(SET_UP)
    assert page.status_code == 200
    assert reverse("two_factor_qr") in page.text
    qr = client.get(reverse("two_factor_qr"))
    svg = qr.content.decode()
    assert qr["Content-Type"] == "image/svg+xml"
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg and "style=" not in svg
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post(SET_UP, {"otp_token": code_of(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(verb="two_factor.enrolled")
    assert event.actor == alice and event.address == "127.0.0.1"


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "000000"])
def test_a_wrong_set_up_code_is_a_form_error(client, alice, code):
    sign_in(client, alice)
    client.get(SET_UP)
    response = client.post(SET_UP, {"otp_token": code})
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


# --- signing in with it --------------------------------------------------------------------------


def test_sign_in_with_the_authenticator_app(client, alice):
    device = authenticator_of(alice)
    sign_in(client, alice)
    response = enter(client, code_of(device), next_url=reverse("register_list"))
    assert response.status_code == 302 and response.url == reverse("register_list")
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.get(verb="two_factor.verified").after == {
        "method": "authenticator_app"
    }


@pytest.mark.parametrize("code", ["000000", "not a code!", ""])
def test_a_wrong_code_is_a_form_error_and_is_recorded(client, alice, code):
    authenticator_of(alice)
    sign_in(client, alice)
    response = enter(client, code)
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert client.get(reverse("home")).url.startswith(VERIFY)
    if code == "000000":
        assert AuditEvent.objects.filter(verb="two_factor.failed", actor=alice).exists()


def test_a_recovery_code_works_once(client, alice):
    authenticator_of(alice)
    StaticToken.objects.all().delete()
    from boards.services import recovery_codes_renew

    code = recovery_codes_renew(person=alice)[0]
    sign_in(client, alice)
    assert enter(client, code).status_code == 302
    assert StaticToken.objects.filter(device__user=alice).count() == 9
    client.post(reverse("logout"))
    sign_in(client, alice)
    response = enter(client, code)
    assert response.status_code == 200 and "is-invalid" in response.text


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = authenticator_of(alice)
    sign_in(client, alice)
    enter(client, "000000")
    enter(client, "111111")
    response = enter(client, "222222")
    assert response.status_code in (403, 429)
    # Signed out; and the password alone does not get back in during the lock-out.
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert enter(client, code_of(device)).url.startswith(reverse("login"))


# --- step-up -------------------------------------------------------------------------------------


def _verified_minutes_ago(client, person, minutes):
    pass_second_factor(client, person)
    session = client.session
    session[VERIFIED_AT] = int(time.time()) - minutes * 60
    session.save()


def test_a_decision_asks_for_a_fresh_second_factor(client, erin, referred, fire):
    referral = referral_for(referred, fire)
    client.force_login(erin, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, erin, 20)
    page = reverse("referral_detail", kwargs={"pk": referral.pk})
    assert "Confirm it is you" in client.get(page).text
    response = client.post(
        page,
        {"outcome": "approved", "reference": "F/1", "notes": "", "revision": referral.revision},
    )
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    device = authenticator_of(erin)
    assert enter(client, code_of(device, later=30), next_url=page).url == page
    assert 'name="outcome"' in client.get(page).text
    post_and_confirm(
        client,
        page,
        {"outcome": "approved", "reference": "F/1", "notes": "", "revision": referral.revision},
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED


def test_a_recent_second_factor_is_not_asked_again(client, erin, referred, fire, settings):
    settings.TWO_FACTOR_STEP_UP_MINUTES = 30
    referral = referral_for(referred, fire)
    client.force_login(erin, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, erin, 20)
    page = reverse("referral_detail", kwargs={"pk": referral.pk})
    assert 'name="outcome"' in client.get(page).text


def test_a_second_factor_gone_stale_on_the_check_page_is_asked_for_and_the_answers_kept(
    client, erin, referred, fire, settings
):
    settings.TWO_FACTOR_STEP_UP_MINUTES = 30
    referral = referral_for(referred, fire)
    client.force_login(erin, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, erin, 20)
    page = reverse("referral_detail", kwargs={"pk": referral.pk})
    client.post(
        page,
        {"outcome": "declined", "reference": "F/2", "notes": "", "revision": referral.revision},
    )
    _verified_minutes_ago(client, erin, 40)
    response = client.post(page, {"confirm": "yes"})
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert enter(
        client, code_of(authenticator_of(erin), later=30), next_url=page + "?check"
    ).url == (page + "?check")
    assert "F/2" in client.get(page + "?check").text
    client.post(page, {"confirm": "yes"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED


def test_approving_minutes_asks_for_a_fresh_second_factor(client, dave, held):
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.MINUTES_DRAFTED)
    client.force_login(dave, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, dave, 60)
    response = client.post(
        reverse("meeting_transition", kwargs={"pk": held.pk}),
        {"to": Meeting.Status.MINUTES_APPROVED},
    )
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    # Nor does the check page's own button approve them without it.
    response = client.post(
        reverse("meeting_transition", kwargs={"pk": held.pk}),
        {"to": Meeting.Status.MINUTES_APPROVED, "confirm": "yes"},
    )
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    held.refresh_from_db()
    assert held.status == Meeting.Status.MINUTES_DRAFTED


def test_changing_someones_roles_asks_for_a_fresh_second_factor(client, police, bob):
    admin = UserFactory(is_staff=True, is_superuser=True, organisation=police)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, admin, 60)
    response = client.get(reverse("admin:boards_user_change", args=[bob.pk]))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    # The list of people is still open to read.
    assert client.get(reverse("admin:boards_user_changelist")).status_code == 200


# --- the person's own page ----------------------------------------------------------------------


def test_a_member_may_turn_their_optional_second_factor_off(client_of, bob):
    client = client_of(bob)
    response = client.post(reverse("two_factor_manage"), {"action": "remove"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert AuditEvent.objects.filter(verb="two_factor.removed", actor=bob).exists()


def test_the_secretariat_cannot_turn_theirs_off(client_of, alice):
    client = client_of(alice)
    response = client.post(reverse("two_factor_manage"), {"action": "remove"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("two_factor_manage", "two_factor_setup", "two_factor_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- passkeys ------------------------------------------------------------------------------------


def test_the_verify_page_offers_a_passkey_without_inline_script(client, alice):
    authenticator_of(alice)
    sign_in(client, alice)
    page = client.get(VERIFY).text
    assert 'id="passkey-verification-button"' in page
    assert "otp_webauthn_auth.js" in page
    # Only the JSON configuration sits in the page; no script runs from it.
    for script in page.split("<script")[1:]:
        assert ' src="' in script.split(">", 1)[0] or 'type="application/json"' in script


def test_a_passkey_cannot_be_registered_before_the_existing_second_factor(client, alice):
    authenticator_of(alice)
    sign_in(client, alice)
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 403
    assert not is_verified_session(client)


def test_a_signed_in_person_starts_a_passkey_check(client, alice):
    authenticator_of(alice)
    sign_in(client, alice)
    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert response.status_code == 200
    assert "challenge" in response.json()


def test_passkeys_are_not_a_way_in_without_the_password(client, alice):
    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert response.status_code in (302, 403)


def is_verified_session(client):
    from django_otp import DEVICE_ID_SESSION_KEY

    return DEVICE_ID_SESSION_KEY in client.session


def test_a_member_without_a_second_factor_costs_no_device_lookups_after_the_first_page(
    client, bob, django_assert_max_num_queries
):
    sign_in(client, bob)
    client.get(reverse("home"))
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("register_list"))
    assert not any("otp_totp" in query["sql"] for query in first.captured_queries)


def test_a_decision_recorded_on_a_bodys_behalf_asks_for_a_fresh_second_factor(
    client, alice, referred, council
):
    referral = referral_for(referred, council)
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    _verified_minutes_ago(client, alice, 20)
    page = reverse("referral_on_behalf", kwargs={"pk": referral.pk})
    assert client.get(page).url.startswith(VERIFY)
    response = client.post(
        page,
        {
            "decision_forum": "Cabinet",
            "outcome": "approved",
            "reference": "CAB/1",
            "notes": "",
            "revision": referral.revision,
        },
    )
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING

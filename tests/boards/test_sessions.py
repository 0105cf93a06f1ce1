"""Sessions with limits: an absolute lifetime and an idle timeout kept in the session, a form's
text kept across signing in again, "your sessions", no-store, and Clear-Site-Data."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards.models import SignedInSession, describe_device
from tests.factories import PASSWORD
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def signed_in(person, user_agent=FIREFOX, address="198.51.100.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    pass_second_factor(client, person)
    return client


# --- limits ----------------------------------------------------------------------------------


def test_a_session_ends_at_its_absolute_lifetime_however_active(bob, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    step = timedelta(minutes=20)
    lifetime = timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME)
    moment = start + step
    while moment < start + lifetime - step:
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("home")).status_code == 200
        moment += step
    with time_machine.travel(start + lifetime + timedelta(minutes=1), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "ended=absolute" in response["Location"]
    assert not SignedInSession.objects.filter(person=bob).exists()


def test_the_absolute_lifetime_is_a_setting(bob, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    for minutes in (20, 40, 59):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_the_idle_timeout_ends_a_session_left_alone(bob, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    idle = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(start + idle + timedelta(seconds=5), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "ended=idle" in response["Location"]
    page = client.get(response["Location"])
    assert "You were signed out because the portal was not used for a while" in (
        page.content.decode()
    )


def test_asking_how_long_is_left_is_not_activity_but_staying_signed_in_is(bob, settings):
    start = timezone.now()
    idle = settings.SESSION_IDLE_TIMEOUT
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    url = reverse("session_keep_alive")
    with time_machine.travel(start + timedelta(seconds=idle - 100), tick=False):
        assert client.get(url).json() == {"signed_in": True, "seconds_left": 100}
    with time_machine.travel(start + timedelta(seconds=idle - 50), tick=False):
        answer = client.post(url).json()
        assert answer == {"signed_in": True, "seconds_left": idle}
    with time_machine.travel(start + timedelta(seconds=idle + 60), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_staying_signed_in_cannot_pass_the_absolute_lifetime(bob, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 45 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.post(reverse("session_keep_alive")).json()["seconds_left"] == 20 * 60
    with time_machine.travel(start + timedelta(minutes=46), tick=False):
        assert client.post(reverse("session_keep_alive")).status_code == 401


def test_an_old_cookie_renewed_by_the_browser_does_not_extend_the_session(bob, settings):
    """The idle timer lives in the session: the cookie's own expiry plays no part."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(bob)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    later = start + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1)
    with time_machine.travel(later, tick=False):
        fresh = Client()
        fresh.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert fresh.get(reverse("home")).status_code == 302


def test_a_form_sent_after_the_session_ended_keeps_its_text_across_signing_in(
    alice, board, settings
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(alice)
    create = reverse("meeting_create", kwargs={"slug": board.slug})
    later = start + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        sent = client.post(
            create,
            {"title": "Estates workshop", "venue": "Shire Hall, Warwick", "password": "x"},
        )
        assert sent.status_code == 302
        assert sent["Location"].startswith(reverse("login"))
        login_page = client.get(sent["Location"])
        assert "what you typed in the form is kept" in login_page.content.decode()
        signed = client.post(sent["Location"], {"username": alice.email, "password": PASSWORD})
        assert signed["Location"] == create
        pass_second_factor(client, alice)
        page = client.get(create).content.decode()
    assert 'data-kept-form="' in page
    assert "Estates workshop" in page and "Shire Hall, Warwick" in page
    assert "&quot;password&quot;" not in page
    # Shown once: the next visit is a blank form.
    with time_machine.travel(later + timedelta(seconds=5), tick=False):
        assert "data-kept-form" not in client.get(create).content.decode()


# --- your sessions ----------------------------------------------------------------------------


def test_the_sessions_page_lists_device_address_and_last_seen(bob):
    laptop = signed_in(bob, FIREFOX, "198.51.100.1")
    signed_in(bob, SAFARI, "203.0.113.7")
    body = laptop.get(reverse("session_list")).content.decode()
    assert "Firefox on Windows" in body and "Safari on iPhone" in body
    assert "198.51.100.1" in body and "203.0.113.7" in body
    assert "This session" in body


def test_ending_another_session_signs_it_out(bob):
    laptop = signed_in(bob, FIREFOX)
    phone = signed_in(bob, SAFARI)
    other = SignedInSession.objects.get(person=bob, user_agent=SAFARI)
    response = laptop.post(reverse("session_end", kwargs={"pk": other.pk}), follow=True)
    assert "The session on Safari on iPhone is signed out." in response.content.decode()
    assert phone.get(reverse("home")).status_code == 302
    assert laptop.get(reverse("home")).status_code == 200


def test_signing_out_everywhere_else_keeps_this_session(bob):
    laptop = signed_in(bob, FIREFOX)
    others = [signed_in(bob, SAFARI, f"203.0.113.{n}") for n in range(1, 4)]
    response = laptop.post(reverse("sessions_end_others"), follow=True)
    assert "3 other sessions are signed out. This one stays signed in." in (
        response.content.decode()
    )
    assert all(other.get(reverse("home")).status_code == 302 for other in others)
    assert laptop.get(reverse("home")).status_code == 200
    assert SignedInSession.objects.filter(person=bob).count() == 1


def test_a_person_cannot_end_someone_elses_session(bob, alice):
    signed_in(bob)
    bobs = SignedInSession.objects.get(person=bob)
    alices_client = signed_in(alice)
    response = alices_client.post(reverse("session_end", kwargs={"pk": bobs.pk}))
    assert response.status_code == 404
    assert SignedInSession.objects.filter(pk=bobs.pk).exists()


def test_the_current_session_is_ended_by_signing_out_not_from_the_list(bob):
    laptop = signed_in(bob)
    mine = SignedInSession.objects.get(person=bob)
    response = laptop.post(reverse("session_end", kwargs={"pk": mine.pk}), follow=True)
    assert "to end it, sign out" in response.content.decode()
    assert laptop.get(reverse("home")).status_code == 200


def test_the_sessions_pages_ask_anonymous_visitors_to_sign_in(client, bob):
    assert client.get(reverse("session_list")).status_code == 302
    assert client.post(reverse("sessions_end_others")).status_code == 302
    assert client.get(reverse("session_keep_alive")).status_code == 302


def test_signing_out_removes_the_session_from_the_list(bob):
    laptop = signed_in(bob)
    laptop.post(reverse("logout"))
    assert not SignedInSession.objects.filter(person=bob).exists()


def test_the_sessions_page_queries_do_not_grow_with_sessions(bob):
    laptop = signed_in(bob)
    for n in range(2):
        signed_in(bob, SAFARI, f"203.0.113.{n}")
    laptop.get(reverse("session_list"))  # settle the once-a-minute activity write

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert laptop.get(reverse("session_list")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(2, 10):
        signed_in(bob, SAFARI, f"203.0.113.{n}")
    assert few > 0
    assert queries() == few


@pytest.mark.parametrize(
    ("agent", "device"),
    [(FIREFOX, "Firefox on Windows"), (SAFARI, "Safari on iPhone"), ("", "Unknown device")],
)
def test_devices_are_named_from_the_user_agent(agent, device):
    assert describe_device(agent) == device


# --- headers ------------------------------------------------------------------------------------


def test_signing_out_clears_the_site_data(bob):
    laptop = signed_in(bob)
    response = laptop.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_every_signed_in_page_says_no_store(client, alice, board):
    from tests.core.test_request_safety import every_route
    from tests.portal.test_url_access import _concrete

    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    stored = []
    for route in every_route():
        url = _concrete(route).replace("some-board", board.slug)
        if url in (reverse("logout"),):
            continue
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(f"{url} ({response.status_code})")
    assert stored == []


def test_the_sessions_page_writes_times_the_gov_uk_way(bob):
    """ "2 December 2026 at 2:30pm", never a 24-hour clock: the sessions and the API tokens."""
    from boards.services import api_token_create

    at = timezone.make_aware(datetime(2026, 12, 2, 14, 30))
    with time_machine.travel(at, tick=False):
        browser = signed_in(bob, FIREFOX, "198.51.100.1")
        record, _ = api_token_create(person=bob, name="Case system", lasts=timedelta(days=30))
        record.last_used_at = at
        record.save(update_fields=["last_used_at"])
        body = browser.get(reverse("session_list")).content.decode()
    assert "2 December 2026 at 2:30pm" in body
    assert "14:30" not in body

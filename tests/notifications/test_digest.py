"""The daily digest: one e-mail per person, grouped by board and kind, sent exactly once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import BoardMembership
from notifications.digest import digest_cutoff
from notifications.models import Delivery, Notification
from notifications.tasks import (
    MAX_ATTEMPTS,
    deliver_digest,
    send_daily_digests,
    sweep_pending_notifications,
)
from tests.factories import BoardFactory, MembershipFactory

from .helpers import notify, prefer

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY_NOON = datetime(2027, 3, 1, 12, 0, tzinfo=LONDON)
TUESDAY_7AM = datetime(2027, 3, 2, 7, 0, 30, tzinfo=LONDON)
DIGEST_KINDS = ["decision_recorded", "outcome_known", "reply_owed"]


@pytest.fixture
def fire_board(fire, bob):
    """A second board bob sits on."""
    other = BoardFactory(name="Fire Estates Board", slug="fire-estates", organisations=[fire])
    MembershipFactory(person=bob, board=other, role=BoardMembership.Role.MEMBER)
    return other


@pytest.fixture
def bob_digest(bob):
    for kind in DIGEST_KINDS:
        prefer(bob, kind, Delivery.DIGEST)
    return bob


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_one_e_mail_per_person_grouped_by_board_then_kind(bob_digest, alice, board, fire_board):
    prefer(alice, "decision_recorded", Delivery.DIGEST)
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board, kind="decision_recorded", link="/register/1/")
        notify([bob_digest], 2, board=board, kind="outcome_known", link="/register/2/")
        notify([bob_digest], 3, board=fire_board, kind="reply_owed", link="/meetings/3/")
        notify([bob_digest], 4, board=board, kind="decision_recorded", link="/register/4/")
        notify([alice], 5, board=board, subject="Alice only: BLC-0005 declined")
    with at(TUESDAY_7AM):
        assert send_daily_digests() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@police.example", "bob@fire.example"]
    [message] = [m for m in mail.outbox if m.to == ["bob@fire.example"]]
    assert message.subject == "Your daily digest: 4 notices"
    text = message.body
    order = [
        "== Fire Estates Board ==",
        "Reply to a meeting invitation",
        "BLC-0003: notice 3",
        "https://portal.example.org/meetings/3/",
        f"== {board.name} ==",
        "Decision recorded",
        "BLC-0001: notice 1",
        "https://portal.example.org/register/1/",
        "BLC-0004: notice 4",
        "Outcome of a recommendation",
        "BLC-0002: notice 2",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)
    html = message.alternatives[0][0]
    assert '<a href="https://portal.example.org/register/4/">BLC-0004: notice 4</a>' in html
    assert "<h2>Fire Estates Board</h2>" in html
    assert "Alice only" not in text and "Alice only" not in html
    assert "https://portal.example.org/notifications/preferences/" in text


def test_a_digest_holds_only_the_persons_own_notices(bob_digest, alice, board):
    prefer(alice, "decision_recorded", Delivery.DIGEST)
    with at(MONDAY_NOON):
        notify([alice], 1, board=board, subject="BLC-0001: confidential to the secretariat")
        notify([bob_digest], 2, board=board)
    with at(TUESDAY_7AM):
        send_daily_digests()
    [to_bob] = [m for m in mail.outbox if m.to == ["bob@fire.example"]]
    assert "confidential to the secretariat" not in to_bob.body
    assert "BLC-0002: notice 2" in to_bob.body
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_the_notices_are_marked_sent_and_the_log_says_so(client_of, alice, bob_digest, board):
    from django.urls import reverse

    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
    with at(TUESDAY_7AM):
        send_daily_digests()
    notice = Notification.objects.get()
    assert notice.status == "sent" and notice.sent_at == TUESDAY_7AM and notice.attempts == 1
    body = client_of(alice).get(reverse("message_log", kwargs={"slug": board.slug}))
    assert "Sent in the daily digest" in body.content.decode()


def test_running_twice_the_same_day_sends_once(bob_digest, board):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
    with at(TUESDAY_7AM):
        send_daily_digests()
    later_that_morning = datetime(2027, 3, 2, 9, 15, tzinfo=LONDON)
    with at(later_that_morning):
        notify([bob_digest], 2, board=board)  # written after the cut-off: tomorrow's digest
        assert send_daily_digests() == 0
        deliver_digest(bob_digest.pk, digest_cutoff(later_that_morning).isoformat())
    assert len(mail.outbox) == 1
    with at(datetime(2027, 3, 3, 7, 0, tzinfo=LONDON)):
        assert send_daily_digests() == 1
    assert len(mail.outbox) == 2 and "BLC-0002" in mail.outbox[1].body
    assert "BLC-0001" not in mail.outbox[1].body


def test_a_duplicate_task_finds_the_digest_already_sent(bob_digest, board):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
    cutoff = digest_cutoff(TUESDAY_7AM).isoformat()
    with at(TUESDAY_7AM):
        deliver_digest.delay(bob_digest.pk, cutoff)
        deliver_digest(bob_digest.pk, cutoff)
    assert len(mail.outbox) == 1


def test_the_cut_off_is_the_last_digest_hour_in_london_time():
    assert digest_cutoff(TUESDAY_7AM) == datetime(2027, 3, 2, 7, 0, tzinfo=LONDON)
    early = datetime(2027, 3, 2, 6, 59, tzinfo=LONDON)
    assert digest_cutoff(early) == datetime(2027, 3, 1, 7, 0, tzinfo=LONDON)
    # The morning the clocks go forward (28 March 2027), still 07:00 on the wall.
    after_dst = datetime(2027, 3, 28, 8, 0, tzinfo=LONDON)
    assert digest_cutoff(after_dst).utcoffset().total_seconds() == 3600
    assert digest_cutoff(after_dst).hour == 7


def test_a_mail_server_error_is_recorded_and_the_digest_retried(bob_digest, board, monkeypatch):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
        notify([bob_digest], 2, board=board, kind="outcome_known")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.digest.send_templated_email", refuse)
    cutoff = digest_cutoff(TUESDAY_7AM).isoformat()
    with at(TUESDAY_7AM):
        deliver_digest.delay(bob_digest.pk, cutoff)
    for notice in Notification.objects.all():
        assert notice.status == "digest" and notice.attempts == 1
        assert "mail server down" in notice.last_error
        # The retry is a time in the database, not a task waiting in the broker.
        assert notice.next_attempt_at == TUESDAY_7AM + timedelta(seconds=60)
    monkeypatch.undo()
    with at(TUESDAY_7AM + timedelta(seconds=30)):
        sweep_pending_notifications()  # not due yet
    assert mail.outbox == []
    with at(TUESDAY_7AM + timedelta(seconds=61)):
        sweep_pending_notifications()
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_a_digest_that_keeps_failing_is_marked_failed(bob_digest, board, monkeypatch):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.digest.send_templated_email", refuse)
    cutoff = digest_cutoff(TUESDAY_7AM).isoformat()
    Notification.objects.update(attempts=MAX_ATTEMPTS - 1)
    deliver_digest.apply(args=(bob_digest.pk, cutoff))
    notice = Notification.objects.get()
    assert notice.status == "failed" and "mail server down" in notice.last_error
    assert mail.outbox == []


def test_an_inactive_person_gets_no_digest(bob_digest, board):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
    bob_digest.is_active = False
    bob_digest.save()
    with at(TUESDAY_7AM):
        assert send_daily_digests() == 0
    assert mail.outbox == []


def test_each_digest_carries_a_one_click_unsubscribe_header(bob_digest, board):
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
    with at(TUESDAY_7AM):
        send_daily_digests()
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://portal.example.org/notifications/digest/unsubscribe/")
    assert header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    assert url in message.body and url in message.alternatives[0][0]
    assert message.message()["List-Unsubscribe"] == header


def _digest_queries(person, board, count: int, offset: int) -> int:
    with at(MONDAY_NOON):
        for n in range(offset, offset + count):
            notify([person], n, board=board, kind=DIGEST_KINDS[n % 3])
    with at(TUESDAY_7AM), CaptureQueriesContext(connection) as queries:
        send_daily_digests()
    return len(queries.captured_queries)


def test_the_digest_queries_do_not_grow_with_the_notices(bob_digest, board, fire_board):
    small = _digest_queries(bob_digest, board, 3, 0)
    large = _digest_queries(bob_digest, fire_board, 40, 100)
    assert small == large
    assert [m.body.count("https://portal.example.org/register/") for m in mail.outbox] == [3, 40]


def test_the_digest_runs_on_the_beat_schedule_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == "notifications.tasks.send_daily_digests"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert settings.NOTIFICATION_DIGEST_HOUR == 7


def test_a_digest_cut_short_is_sent_again_with_the_same_message_id(bob_digest, board, monkeypatch):
    """The worker died after the mail server took the digest but before it was recorded: the
    sweep puts the notices back in the digest, which goes again with the same Message-ID."""
    with at(MONDAY_NOON):
        notify([bob_digest], 1, board=board)
        notify([bob_digest], 2, board=board, kind="outcome_known")

    def taken_then_died(**kwargs):
        sent.append(kwargs["headers"]["Message-ID"])
        raise SystemExit  # the process ends: nothing after the send runs

    sent = []
    monkeypatch.setattr("notifications.digest.send_templated_email", taken_then_died)
    with at(TUESDAY_7AM), pytest.raises(SystemExit):
        deliver_digest(bob_digest.pk, digest_cutoff(TUESDAY_7AM).isoformat())
    assert set(Notification.objects.values_list("status", flat=True)) == {"sending"}
    monkeypatch.undo()
    with at(TUESDAY_7AM + timedelta(minutes=1)):
        sweep_pending_notifications()  # still within its attempt's time: left alone
    assert mail.outbox == []
    with at(TUESDAY_7AM + timedelta(minutes=3)):
        sweep_pending_notifications()
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == sent[0] != ""
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}

"""The real processes of the delivery proofs, shared by every module here: our own
redis-server, an SMTP server that counts what it accepts, and a Celery worker reading the test
database (a beat too, where a test needs one)."""

import os

import pytest
from django.db import connection

from core import enqueue
from tests.factories import MembershipFactory, UserFactory
from tests.opportunities.helpers import decide, referral_for

from .helpers import Live
from .servers import Beat, MailServer, RedisServer, Worker, broker

# The worker is told to give an unacknowledged task back after this many seconds (2 h in
# production), so that a task taken by a worker that was then killed comes back within the test.
VISIBILITY_TIMEOUT = 2
# A message "sending" this long lost its attempt (2 minutes in production, longer than a
# delivery may take): short here, so a test need not wait; the tests that stall the mail server
# run no sweep meanwhile.
SENDING_STALE = 3


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def process_env(django_db_setup, redis_server, mail_server):
    db = connection.settings_dict  # the test database, once django_db_setup has made it
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bluelight.settings",
        "BLUELIGHT_ENV": "development",
        # Named, so that a test can cut exactly the worker's connections.
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}?application_name=bluelight-worker",
        "REDIS_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "20",
        "NOTIFICATION_RETRY_SECONDS": "1",
        "NOTIFICATION_SENDING_STALE_SECONDS": str(SENDING_STALE),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SITE_URL": "https://portal.example.org",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="module")
def worker(process_env, tmp_path_factory):
    process = Worker(process_env, tmp_path_factory.mktemp("worker") / "worker")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def start_beat(process_env, tmp_path):
    """Start a beat (or two) with the sweep every ``sweep_every`` seconds; stopped after."""
    beats = []

    def start(sweep_every: int, name: str = "beat") -> Beat:
        env = {**process_env, "SWEEP_EVERY_SECONDS": str(sweep_every)}
        beat = Beat(env, tmp_path / name)
        beat.start()
        beats.append(beat)
        return beat

    yield start
    for beat in beats:
        beat.stop()


@pytest.fixture
def fire_referral(referred, board, police, council, fire, pat, cara):
    """Fire's referral, the last undecided: its decision settles the outcome and tells the
    whole board, so one decision writes many messages (six more members than the fixtures)."""
    from boards.models import BoardMembership

    decide(referral_for(referred, police), pat)
    decide(referral_for(referred, council), cara)
    for n in range(6):
        person = UserFactory(full_name=f"Member {n}", email=f"member{n}@fire.example")
        MembershipFactory(person=person, board=board, role=BoardMembership.Role.MEMBER)
    return referral_for(referred, fire)


@pytest.fixture
def live(transactional_db, fire_referral, redis_server, mail_server, worker):
    """From here on, tasks go through our Redis to the worker (the fixtures above ran in-process
    and their messages are sent already)."""
    if not redis_server.ping():
        redis_server.start()
    if not worker.running():
        worker.start()
    mail_server.handler.reset()
    enqueue.broker_failure_forget()
    with broker(redis_server.url):
        yield Live(redis_server, mail_server, worker)
    mail_server.handler.release()
    enqueue.broker_failure_forget()

"""Time of the request that records an executive's decision, with a fast and a slow mail server.

Builds a PostgreSQL database `bluelight_bench_mail` (the demo data plus referrals waiting for
the Fire executive's decision), serves it with gunicorn, and starts a redis-server, an SMTP
server (aiosmtpd, in this process) and a Celery worker of its own. Then it records decisions
through the referral page (POST, as the executive's browser would), in rounds of three: the
mail server answering each message in 1 ms with the worker idle, in 1 ms while the worker sends
the previous decision's messages, and in 5 s while the worker waits on it. It writes mean,
median and 95th percentile to benchmarks/results/decision_mail.txt. The e-mails are sent by the
worker, so a slow mail server must not show in the request's time. Run by hand:

    .venv/bin/python benchmarks/decision_mail.py [--requests 30]
"""

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from signed_in import session_cookie

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.servers import (  # noqa: E402
    MailServer,
    RedisServer,
    Worker,
    free_port,
    wait_until,
)

DATABASE = "bluelight_bench_mail"
DATABASE_URL = f"postgres://postgres:postgres@127.0.0.1:5432/{DATABASE}"
RESULTS = ROOT / "benchmarks" / "results" / "decision_mail.txt"
EXECUTIVE = "nadia.cole@fire.example"
WARM_UP = 5
IDLE = "1 ms, worker idle"
SENDING = "1 ms, worker sending"
SLOW = "5 s, worker waiting"
CONDITIONS = (IDLE, SENDING, SLOW)
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": "",
    "DEBUG": "false",
    "BLUELIGHT_ENV": "development",
    "DJANGO_SETTINGS_MODULE": "bluelight.settings",
    "LOG_LEVEL": "WARNING",
}


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def build_database(count: int) -> list[int]:
    """The demo data and `count` referrals to Fire alone; returns the referrals' ids."""
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    manage("migrate", "-v0")
    manage("seed_demo")
    out = subprocess.run(
        [sys.executable, __file__, "--generate", str(count)],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(count: int) -> None:
    """Recommendations referred to Fire only, through the services: Fire's decision settles
    each outcome, so the request writes and queues the decision and the board's notices."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from boards.models import Board, Organisation, User
    from notifications.services import notifications_suppressed
    from opportunities import services
    from opportunities.models import Status, Theme

    board = Board.objects.get()
    fire = Organisation.objects.get(short_name="WFRS")
    member = User.objects.get(email="rachel.finch@fire.example")
    secretary = User.objects.get(email="priya.shah@warwickshire-cc.example")
    today = timezone.localdate()
    ids = []
    with notifications_suppressed():  # the setting-up sends nothing
        for n in range(count):
            with transaction.atomic():
                opportunity = services.opportunity_propose(
                    board=board,
                    proposed_by=member,
                    participating=[fire],
                    title=f"Shared fleet workshop {n:03d}",
                    summary="Maintain both services' vehicles in one workshop.",
                    theme=Theme.FLEET,
                    lead_organisation=fire,
                )
                services.opportunity_transition(
                    opportunity=opportunity, actor=secretary, to=Status.UNDER_ASSESSMENT
                )
                recommendation = services.recommendation_record(
                    opportunity=opportunity,
                    actor=secretary,
                    wording="The board recommends a shared workshop.",
                    agreed_on=today - timedelta(days=1),
                    decision_due_on=today + timedelta(days=28),
                    organisations=[fire],
                )
                services.recommendation_send(recommendation=recommendation, actor=secretary)
                ids.append(recommendation.referrals.get().pk)
    print(json.dumps(ids))


class Browser:
    """One keep-alive connection with the executive's session and CSRF cookies."""

    def __init__(self, port: int, session: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {"sessionid": session}

    def request(self, method: str, path: str, body: str | None = None):
        headers = {
            "Host": "localhost",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response, text

    def decide(self, referral: int) -> float:
        """Open the referral page, send the form, then time the confirmation that records the
        decision."""
        path = f"/referrals/{referral}/"
        response, page = self.request("GET", path)
        assert response.status == 200, (path, response.status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "outcome": "approved",
                "reference": f"FRA/{referral}",
                "notes": "",
                "revision": revision,
            }
        )
        # The form leads to its check page; the check page's button records the decision.
        response, _ = self.request("POST", path, body)
        assert response.status == 302, (referral, response.status)
        confirm = urlencode({"csrfmiddlewaretoken": token, "confirm": "yes"})
        started = time.perf_counter()
        response, _ = self.request("POST", path, confirm)
        elapsed = time.perf_counter() - started
        location = response.headers.get("Location", "")
        assert response.status == 302 and location.endswith("/referrals/"), (
            referral,
            response.status,
            location,
        )
        return elapsed


def summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return (
        f"{name:24} {len(ms):4d} {statistics.mean(ms):8.1f} {statistics.median(ms):8.1f} "
        f"{p95:8.1f} {ms[0]:8.1f} {ms[-1]:8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.generate:
        generate(options.generate)
        return
    referrals = build_database(WARM_UP + len(CONDITIONS) * options.requests)
    cookie = session_cookie(EXECUTIVE, root=ROOT, env=ENV)
    scratch = Path(tempfile.mkdtemp(prefix="decision-mail-"))
    redis, mail = RedisServer(scratch), MailServer()
    port = free_port()
    served = {
        **ENV,
        "REDIS_URL": redis.url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "30",
        "LOG_LEVEL": "WARNING",
    }
    worker = Worker({**served, "LOG_LEVEL": "INFO"}, scratch / "worker")
    server = None
    try:
        redis.start()
        mail.start()
        worker.start()
        server = subprocess.Popen(
            [
                *(str(ROOT / ".venv" / "bin" / "gunicorn"), "bluelight.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=served,
        )
        wait_until(lambda: _answers(port), 30, "gunicorn")
        browser = Browser(port, cookie)
        queue = iter(referrals)
        for _ in range(WARM_UP):
            browser.decide(next(queue))
        wait_until(redis.idle, 120, "the warm-up's messages")
        per_decision = len(mail.handler.accepted) / WARM_UP
        times = {name: [] for name in CONDITIONS}
        blocked = 0
        # Rounds of the three conditions, so that the machine's other work and the portal
        # warming up fall on all three alike.
        for _ in range(options.requests):
            mail.handler.delay = 0.001
            wait_until(redis.idle, 120, "the worker to finish the last round's messages")
            times[IDLE].append(browser.decide(next(queue)))
            # The worker is sending the previous decision's messages meanwhile.
            times[SENDING].append(browser.decide(next(queue)))
            mail.handler.delay = 5.0
            wait_until(lambda: mail.handler.delaying or redis.idle(), 30, "a slow message")
            blocked += bool(mail.handler.delaying)
            times[SLOW].append(browser.decide(next(queue)))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(10)
        worker.stop()
        mail.stop()
        redis.stop()
    lines = [
        f"Recording an executive's decision (POST to the referral page) — "
        f"{time.strftime('%Y-%m-%d %H:%M')}",
        "gunicorn 2 sync workers + PostgreSQL + redis-server + 1 Celery worker (concurrency 1) "
        "on this machine; an aiosmtpd server answering each message after the delay shown.",
        "Each decision settles its recommendation's outcome: it writes and queues "
        f"{per_decision:.0f} messages (the decision to the secretariat and the lead body, the "
        "outcome to the board).",
        f"{options.requests} rounds of three decisions: mail server at 1 ms with the worker idle; "
        "at 1 ms while the worker sends the previous decision's messages; at 5 s while the "
        f"worker waits on it ({blocked} of {options.requests} times a message was mid-send).",
        f"{WARM_UP} decisions to warm up first, not counted. Times in milliseconds.",
        "",
        f"{'mail server answers in':24} {'n':>4}"
        + "".join(f" {column:>8}" for column in ("mean", "median", "p95", "min", "max")),
    ]
    lines += [summary(name, times[name]) for name in CONDITIONS]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        connection.getresponse().read()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()

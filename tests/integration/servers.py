"""Real processes for the delivery proof: Redis, a mail server, a hanging broker, a worker.

Each is started on a free loopback port and stopped by its owner (a fixture finaliser, or the
benchmark's `finally`), whatever happened in between.
"""

import asyncio
import email
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent.parent


# Ports for our own servers: below the kernel's ephemeral range (32768 and up), so that no
# connection's local port takes one while its server is stopped and started again, and a slice
# of their own for each pytest-xdist worker ("gw0", "gw1"...), so that two workers never pick the
# same one at the same moment.
PORTS_FROM, PORTS_TO = 20000, 32000
_handed_out: set[int] = set()


def _worker_slice() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    index = int(worker.removeprefix("gw") or 0) % count
    size = (PORTS_TO - PORTS_FROM) // count
    return range(PORTS_FROM + index * size, PORTS_FROM + (index + 1) * size)


def free_port() -> int:
    """A loopback port nobody listens on, in this worker's slice, not handed out before here."""
    ports = _worker_slice()
    for port in random.sample(ports, len(ports)):
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"No free port between {ports.start} and {ports.stop}")


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `condition` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class RedisServer:
    """A redis-server of our own, which can be stopped and started again on the same port."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("The delivery tests need redis-server: apt-get install redis-server")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
                *("--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, "redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def ping(self) -> bool:
        try:
            return self.command("PING") == "+PONG"
        except OSError:
            return False

    def command(self, *words: str) -> str:
        """One inline command, its reply's first line (enough for PING, LLEN, HLEN...)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall((" ".join(words) + "\r\n").encode())
            return conn.makefile("rb").readline().decode().strip()

    def integer(self, *words: str) -> int:
        return int(self.command(*words).lstrip(":"))

    def idle(self) -> bool:
        """Nothing queued and nothing taken by a worker without being acknowledged."""
        return self.integer("LLEN", "celery") == 0 and self.integer("HLEN", "unacked") == 0


class MailHandler:
    """An SMTP server's DATA hook that counts the messages it accepts.

    It can be told to refuse the next messages with a reply (`fail_next`), to wait before
    answering (`delay`), or to stall until released, either before accepting a message
    (`stall_before_accepting`: the sender vanishing meanwhile leaves nothing accepted) or just
    after accepting it but before saying so (`stall_after_accepting`).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accepted: list[dict] = []
            self.refused = 0
            self.failures: list[str] = []
            self.delay = 0.0
            self.delaying = 0  # messages waiting out the delay now
            self.stall: str | None = None
            # Called (in the server's thread) after each message is accepted, before the reply.
            self.after_accepting: Callable[[], object] | None = None
            self.stalled = threading.Event()
            self.abandoned = threading.Event()
            self.released = threading.Event()

    def fail_next(self, count: int, reply: str = "451 4.3.0 Try again later") -> None:
        with self.lock:
            self.failures = [reply] * count

    def stall_before_accepting(self) -> None:
        self.stall = "before"

    def stall_after_accepting(self) -> None:
        self.stall = "after"

    def release(self) -> None:
        self.stall = None
        self.released.set()

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(to for message in self.accepted for to in message["to"])

    def message_ids(self) -> list[str]:
        with self.lock:
            return sorted(
                email.message_from_bytes(message["data"])["Message-ID"] for message in self.accepted
            )

    def accepted_with_ids(self) -> list[dict]:
        """Each accepted message's Message-ID and the time it was accepted."""
        with self.lock:
            return [
                {"id": email.message_from_bytes(m["data"])["Message-ID"], "at": m["at"]}
                for m in self.accepted
            ]

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            stall, delay = self.stall, self.delay
            self.delaying += 1 if delay else 0
        if delay:
            try:
                await asyncio.sleep(delay)
            finally:
                with self.lock:
                    self.delaying -= 1
        if stall == "before":
            await self._stall()
        if failure:
            with self.lock:
                self.refused += 1
            return failure
        with self.lock:
            self.accepted.append(
                {"to": list(envelope.rcpt_tos), "data": envelope.content, "at": time.time()}
            )
        if self.after_accepting is not None:
            self.after_accepting()
        if stall == "after":
            await self._stall()
        return "250 2.0.0 Accepted"

    async def _stall(self) -> None:
        self.stalled.set()
        try:
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            # aiosmtpd cancels the hook when the sender's connection goes away meanwhile.
            self.abandoned.set()
            raise


class MailServer:
    def __init__(self):
        self.handler = MailHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.handler.release()
        self.controller.stop()


class HangingBroker:
    """A socket server on loopback that accepts connections and never answers a byte."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed by stop()
                return
            self.connections.append(conn)

    def stop(self) -> None:
        self.listener.close()
        for conn in self.connections:
            conn.close()


class Worker:
    """`celery -A bluelight worker`, concurrency 1, in its own process group."""

    ready_marker = b" ready."

    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def arguments(self) -> list[str]:
        return [
            *(sys.executable, "-m", "celery", "-A", "bluelight", "worker"),
            *(
                "--concurrency=1",
                "--pool=prefork",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ),
            *("--without-heartbeat", f"--hostname=delivery-{os.getpid()}-{self.starts}@%h"),
        ]

    def start(self) -> None:
        self.starts += 1
        log = self.log.with_suffix(f".{self.starts}.log")
        self.current_log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                self.arguments(),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, 60, f"the {type(self).__name__.lower()} to be ready (log: {log})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"The process exited: {self.current_log.read_text()[-3000:]}")
        return self.ready_marker in self.current_log.read_bytes()

    def output(self) -> str:
        return self.current_log.read_text()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_pool_child(self) -> int:
        """SIGKILL the process running tasks; the worker's main process lives on."""
        (child,) = self.pool_children()
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> None:
        """SIGKILL the whole worker, main process and pool, as a crash or `kill -9` would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.running():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None


class Beat(Worker):
    """`celery -A bluelight beat` with the portal's scheduler (one beat at a time, by a lock in
    Redis), its schedule file in the log's directory."""

    ready_marker = b"beat: Starting..."

    def arguments(self) -> list[str]:
        schedule = self.log.with_suffix(".schedule")
        return [
            *(sys.executable, "-m", "celery", "-A", "bluelight", "beat"),
            *("--loglevel=INFO", f"--schedule={schedule}"),
        ]


@contextmanager
def broker(url: str):
    """Tasks queued from this process really go to the broker at `url` (not run in-process)."""
    from bluelight.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _forget_connections(app)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _forget_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = saved


def _forget_connections(app) -> None:
    # As Celery does after a fork: the next message opens a connection to the broker
    # configured now.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None

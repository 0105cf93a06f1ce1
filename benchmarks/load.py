"""Serving the benchmark database with gunicorn and loading pages from keep-alive clients."""

import http.client
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from environment import PYTHON, ROOT, env_for

PORT = int(os.environ.get("BENCH_PORT", "8765"))  # another port where two runs share a machine
WORKERS = 2


class Server:
    """gunicorn (WORKERS sync workers, the benchmark's settings) on ``database``."""

    def __init__(self, database: str, port: int = PORT, **settings: str) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "bluelight.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**env_for(database), **settings},
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "localhost"})
                connection.getresponse().read()
                connection.close()
                if len(self.workers()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def workers(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def resident_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def browser_cookies(path: str, cookie: str) -> str:
    """The Cookie header a browser would send after its first visit to ``path`` with this
    session: the session, and whatever the page set (the CSRF cookie the page's forms need)."""
    cookies = {"sessionid": cookie} if cookie else {}
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    connection.request("GET", path, headers=_headers(cookies))
    response = connection.getresponse()
    response.read()
    connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";")[0]
        if value and "Max-Age=0" not in header:
            cookies[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _headers(cookies: dict[str, str]) -> dict[str, str]:
    headers = {"Host": "localhost"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return headers


def load(path: str, cookie: str, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second over `seconds` (answers 200 only) and the count of other answers,
    from `clients` keep-alive connections sharing one browser's cookies, as tabs do."""
    counts = [0] * clients
    errors = [0] * clients
    sent = browser_cookies(path, cookie)
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Host": "localhost"}
        if sent:
            headers["Cookie"] = sent
        while time.monotonic() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The last requests end after the deadline: count the time they took too.
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(errors)


def check(path: str, cookie: str) -> int:
    """The status of one request (a redirect or refusal means the page was not measured)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Host": "localhost", **({"Cookie": f"sessionid={cookie}"} if cookie else {})}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def load_average() -> float:
    return os.getloadavg()[0]

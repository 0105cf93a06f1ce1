"""Serving the benchmark database with gunicorn and loading pages from keep-alive clients."""

import http.client
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from environment import PYTHON, ROOT, env_for

PORT = 8765
WORKERS = 2


class Server:
    """gunicorn (WORKERS sync workers, the benchmark's settings) on ``database``."""

    def __init__(self, database: str, port: int = PORT) -> None:
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
            env=env_for(database),
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


def load(path: str, cookie: str, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second over `seconds` (answers 200 only) and the count of other answers,
    from `clients` keep-alive connections."""
    counts = [0] * clients
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Host": "localhost"}
        if cookie:
            headers["Cookie"] = f"sessionid={cookie}"
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

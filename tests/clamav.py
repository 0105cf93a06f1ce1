"""A real ClamAV daemon for the tests: Debian's clamd (package clamav-daemon, installed by `make
system-libraries`) started once per test process with a configuration of its own in a temporary
folder, listening on a Unix socket and on a free loopback port, stopped at the end.

ClamAV's published signatures are downloaded by freshclam in production; here clamd loads one
signature written by the fixture: the EICAR test file, the industry's harmless stand-in for a
virus, matched anywhere in a file (so a PDF or Word file carrying it is caught too). ClamAV adds
".UNOFFICIAL" to a name that comes from an unsigned database.
"""

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Written in two halves, so that no scanner on a machine holding the source mistakes this file
# for the test virus itself.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR" + rb"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Eicar-Test-Signature"
FOUND_AS = f"{EICAR_SIGNATURE}.UNOFFICIAL"
# clamd refuses a stream longer than this (its StreamMaxLength): the size-limit test sends more.
STREAM_LIMIT = 4 * 1024 * 1024
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


@dataclass
class ClamdServer:
    socket_path: str
    port: int
    process: subprocess.Popen
    log: Path


def _configuration(folder: Path, port: int) -> Path:
    database = folder / "database"
    database.mkdir()
    (database / "eicar.ndb").write_text(f"{EICAR_SIGNATURE}:0:*:{EICAR.hex()}\n")
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {folder / 'clamd.sock'}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {database}",
                f"LogFile {folder / 'clamd.log'}",
                f"StreamMaxLength {STREAM_LIMIT // (1024 * 1024)}M",
                "ReadTimeout 10",
                "",
            ]
        )
    )
    return config


@contextmanager
def running_clamd(folder: Path) -> Iterator[ClamdServer]:
    """A clamd of our own in ``folder``, answering PING, stopped when the block ends."""
    from core.clamd import Clamd
    from tests.integration.servers import free_port, wait_until

    if not Path(CLAMD).exists():
        pytest.fail(
            "The virus-scanning tests need ClamAV's daemon: run `make system-libraries` (as "
            "root) or apt-get install clamav-daemon"
        )
    port = free_port()
    config = _configuration(folder, port)
    process = subprocess.Popen(
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = ClamdServer(str(folder / "clamd.sock"), port, process, folder / "clamd.log")
    try:
        wait_until(
            lambda: process.poll() is not None or Clamd(socket_path=server.socket_path).ping(),
            30,
            "clamd to answer PING",
        )
        if process.poll() is not None:
            log = server.log.read_text() if server.log.exists() else ""
            pytest.fail(f"clamd stopped at start-up (status {process.returncode}):\n{log}")
        yield server
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)  # a test may have stopped it: let it end
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory) -> Iterator[ClamdServer]:
    """One clamd for the test process (each pytest-xdist worker has its own)."""
    with running_clamd(tmp_path_factory.mktemp("clamd")) as server:
        yield server


@pytest.fixture
def virus_scanner(settings, clamd_server):
    """Uploads are scanned by the test clamd (over its Unix socket), refused when it is down."""
    settings.CLAMD_SOCKET = clamd_server.socket_path
    settings.CLAMD_HOST = ""
    settings.CLAMD_TIMEOUT = 10
    settings.CLAMD_UNREACHABLE = "refuse"
    return clamd_server

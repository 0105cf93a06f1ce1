"""The clamd client against a real ClamAV daemon (tests/clamav.py): INSTREAM over the Unix socket
and over TCP, the verdicts, clamd's size limit, a daemon that never answers and one that is down."""

import os
import signal
import socket
import threading
import time

import pytest

from core.clamd import Clamd, ScannerUnavailable, StreamTooLarge, configured_scanner
from tests.clamav import EICAR, FOUND_AS, STREAM_LIMIT, running_clamd

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(params=["unix socket", "tcp"])
def scanner(request, clamd_server):
    if request.param == "tcp":
        return Clamd(host="127.0.0.1", port=clamd_server.port, timeout=10)
    return Clamd(socket_path=clamd_server.socket_path, timeout=10)


def test_clamd_answers_ping(scanner):
    assert scanner.ping() is True


def test_a_clean_file_has_no_signature(scanner):
    assert scanner.scan([PDF]) is None


def test_the_eicar_test_file_is_named(scanner):
    assert scanner.scan([EICAR]) == FOUND_AS


def test_eicar_inside_a_pdf_split_across_chunks_is_found(scanner):
    content = PDF + b"\n%" + EICAR + b"\n" + b"x" * 100_000
    chunks = [content[i : i + 7] for i in range(0, 210, 7)] + [content[210:]]
    assert b"".join(chunks) == content
    assert scanner.scan(chunks) == FOUND_AS


def test_a_file_longer_than_clamds_limit_is_refused_not_passed(scanner):
    megabyte = b"\0" * (1024 * 1024)
    with pytest.raises(StreamTooLarge, match="size limit exceeded"):
        scanner.scan([megabyte] * (STREAM_LIMIT // len(megabyte) + 1))
    assert scanner.ping() is True  # clamd itself carries on


def test_a_clamd_that_hangs_is_given_up_on_after_the_timeout(tmp_path):
    """A clamd of its own, stopped (SIGSTOP) after start-up: the kernel still accepts the
    connection, nobody answers, and the client stops waiting after its timeout."""
    with running_clamd(tmp_path) as hung:
        os.kill(hung.process.pid, signal.SIGSTOP)
        scanner = Clamd(socket_path=hung.socket_path, timeout=1)
        started = time.monotonic()
        with pytest.raises(ScannerUnavailable, match="no answer"):
            scanner.scan([PDF])
        assert 0.9 < time.monotonic() - started < 5
        os.kill(hung.process.pid, signal.SIGCONT)
        assert Clamd(socket_path=hung.socket_path, timeout=10).ping() is True


def test_a_daemon_that_never_answers_times_out():
    """A listener that accepts and then says nothing: the client gives up after its timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepted = []
        threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
        silent = Clamd(host="127.0.0.1", port=listener.getsockname()[1], timeout=1)
        started = time.monotonic()
        with pytest.raises(ScannerUnavailable, match="no answer"):
            silent.scan([PDF])
        assert 0.9 < time.monotonic() - started < 5
        assert silent.ping() is False
        for conn, _ in accepted:
            conn.close()


def test_a_daemon_that_is_down_is_unavailable(tmp_path, clamd_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    for down in (
        Clamd(socket_path=str(tmp_path / "no-such.sock"), timeout=1),
        Clamd(host="127.0.0.1", port=closed_port, timeout=1),
    ):
        with pytest.raises(ScannerUnavailable, match="cannot reach clamd"):
            down.scan([PDF])
        assert down.ping() is False


def test_an_error_answer_is_not_taken_for_a_verdict():
    """Anything but "stream: OK" or "... FOUND" (here an unknown command's answer) gives no
    verdict."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def answer():
            conn, _ = listener.accept()
            with conn:
                conn.recv(100)
                conn.sendall(b"UNKNOWN COMMAND\0")

        threading.Thread(target=answer, daemon=True).start()
        odd = Clamd(host="127.0.0.1", port=listener.getsockname()[1], timeout=5)
        with pytest.raises(ScannerUnavailable, match="UNKNOWN COMMAND"):
            odd.scan([PDF])


def test_the_settings_choose_the_scanner(settings):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = "", ""
    assert configured_scanner() is None
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_TIMEOUT = "clamav", 3310, 7
    assert configured_scanner() == Clamd(host="clamav", port=3310, timeout=7)
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    assert configured_scanner().address == "/run/clamav/clamd.ctl"

"""A client for ClamAV's scanner daemon, clamd, over its Unix socket or TCP.

A file is sent with clamd's INSTREAM command: ``zINSTREAM\\0``, then the content in chunks, each
preceded by its length as 4 bytes (big-endian), then a chunk of length zero. clamd answers
``stream: OK``, ``stream: <signature> FOUND``, or an error such as ``INSTREAM size limit
exceeded. ERROR`` (the file is longer than its StreamMaxLength). Every socket step waits at
most ``timeout`` seconds.
"""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

DEFAULT_PORT = 3310
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd gave no verdict: it could not be reached, did not answer in time or answered
    with an error."""


class StreamTooLarge(ScannerUnavailable):
    """The file is longer than clamd's StreamMaxLength, so clamd would not scan it."""


@dataclass(frozen=True)
class Clamd:
    socket_path: str = ""
    host: str = ""
    port: int = DEFAULT_PORT
    timeout: float = 30.0

    @property
    def address(self) -> str:
        return self.socket_path or f"{self.host}:{self.port}"

    def ping(self) -> bool:
        """True when clamd answers PING with PONG."""
        try:
            with self._connect() as conn:
                conn.sendall(b"zPING\0")
                return self._reply(conn) == "PONG"
        except ScannerUnavailable:
            return False

    def scan(self, chunks: Iterable[bytes]) -> str | None:
        """The name of the signature the content matches (e.g. ``Win.Test.EICAR_HDB-1``), or
        None when clamd finds nothing."""
        with self._connect() as conn:
            try:
                conn.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    if chunk:
                        conn.sendall(struct.pack(">I", len(chunk)) + chunk)
                conn.sendall(struct.pack(">I", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd stops reading once the stream passes its limit, says why and closes:
                # its answer is read below.
                pass
            except OSError as error:
                raise ScannerUnavailable(f"clamd at {self.address}: {error}") from error
            return _verdict(self._reply(conn), self.address)

    def _connect(self) -> socket.socket:
        try:
            if self.socket_path:
                conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                conn.settimeout(self.timeout)
                try:
                    conn.connect(self.socket_path)
                except OSError:
                    conn.close()
                    raise
                return conn
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            raise ScannerUnavailable(f"cannot reach clamd at {self.address}: {error}") from error

    def _reply(self, conn: socket.socket) -> str:
        """clamd's answer, up to the NUL that ends it (or the connection's end)."""
        received = b""
        try:
            while b"\0" not in received and len(received) < MAX_REPLY:
                part = conn.recv(MAX_REPLY)
                if not part:
                    break
                received += part
        except OSError as error:  # a timeout included
            raise ScannerUnavailable(f"no answer from clamd at {self.address}: {error}") from error
        reply = received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
        if not reply:
            raise ScannerUnavailable(f"clamd at {self.address} closed without an answer")
        return reply


def _verdict(reply: str, address: str) -> str | None:
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND").strip()
    if "size limit exceeded" in reply:
        raise StreamTooLarge(f"clamd at {address}: {reply}")
    raise ScannerUnavailable(f"clamd at {address} answered {reply!r}")


def configured_scanner() -> Clamd | None:
    """The clamd the settings name (CLAMD_SOCKET, or CLAMD_HOST and CLAMD_PORT); None when
    scanning is off."""
    if not (settings.CLAMD_SOCKET or settings.CLAMD_HOST):
        return None
    return Clamd(
        socket_path=settings.CLAMD_SOCKET,
        host=settings.CLAMD_HOST,
        port=settings.CLAMD_PORT,
        timeout=settings.CLAMD_TIMEOUT,
    )

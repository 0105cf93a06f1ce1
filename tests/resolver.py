"""Host names for the outbound-address tests, without a DNS server: ``resolver`` answers the names
a test gives it (each with the addresses it resolves to, in turn if the test gives several
answers) and passes every other lookup (the database's, Redis's, an address already numeric)
to the system."""

import socket
from collections.abc import Iterator

import pytest


class Resolver:
    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def answer(self, name: str, *answers: list[str]) -> None:
        """``name`` resolves to the first list of addresses, then the next on the next lookup
        (the last one given stays)."""
        self.answers[name] = list(answers)


@pytest.fixture
def resolver(monkeypatch) -> Iterator[Resolver]:
    fake = Resolver()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in fake.answers:
            return real(host, port, family, type, proto, flags)
        fake.lookups.append(name)
        answers = fake.answers[name]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        rows = []
        for address in addresses:
            if ":" in address:
                rows.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                rows.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return rows

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield fake

"""The client's address as the sign-in lockout sees it, behind the configured number of proxies."""

import pytest
from django.test import RequestFactory

from core.client_address import client_ip


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's claim
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy appended the client
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is ignored
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),  # two proxies
        (2, "", "10.0.0.1"),  # fewer entries than proxies: fall back to the connection
    ],
)
def test_the_client_address_behind_proxies(settings, hops, forwarded, expected):
    settings.PROXY_COUNT = hops
    request = RequestFactory().post(
        "/sign-in/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_ip(request) == expected

"""Requests the portal makes to web addresses people type: a body's webhook, the calendar a
body publishes.

Such an address must never reach inside the portal's own network (server-side request
forgery): the database, Redis, the cloud's metadata service at 169.254.169.254, an
administration page on the local host. So every address its host name resolves to must be on
the public internet: not private, loopback, link-local, shared (carrier-grade NAT), multicast,
documentation or reserved (IPv6 site-local, IPv4-compatible and -translated too), nor an IPv6
address carrying such an IPv4 one (mapped, 6to4, Teredo, NAT64).

The rule is checked twice:

- when the address is saved (``check_web_address``, a sentence for the form): a name that
  resolves inside the network is refused there and then. A name that does not resolve today is
  let through: it is checked again when it is used;
- on each connection (``public_pool_manager``): the host is resolved, every address checked, and
  the connection made to an address that was checked. A name that resolves to a public address
  when checked and to a private one a moment later (DNS rebinding) gains nothing, and each
  redirect hop is a new connection, checked in turn.

``settings.OUTBOUND_ALLOW_LOOPBACK`` lets loopback addresses (127.0.0.0/8, ::1) through, for the
test suite's own receivers and a developer's machine; it is off unless set, and production
refuses to start with it on.
"""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from .exceptions import Refused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ENTER_A_PUBLIC_ADDRESS = (
    "Enter a web address on the public internet: {host} is inside a private network."
)
NOT_A_WEB_ADDRESS = "Enter a web address starting with https:// or http://."
# NAT64's well-known prefix: the last 32 bits are an IPv4 address.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# IPv6 blocks never on the public internet that Python's ``is_global`` (as of 3.11) lets through:
# IPv4-compatible addresses (deprecated; ::127.0.0.1 carries loopback), IPv4-translated ones
# (SIIT), local-use NAT64 (RFC 8215), site-local (deprecated) and SRv6 segment ids (RFC 9602).
NOT_GLOBAL_IPV6 = tuple(
    ipaddress.IPv6Network(block)
    for block in ("::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "fec0::/10", "5f00::/16")
)


class AddressNotPublic(Refused):
    """The host, or an address its name resolves to, is not on the public internet."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"{host} is, or resolves to, an address inside a private network: the portal "
            "connects only to addresses on the public internet."
        )
        self.host = host


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (and reaches, through a gateway)."""
    carried = [ip.ipv4_mapped, ip.sixtofour]
    if ip.teredo:
        carried.extend(ip.teredo)
    if ip in NAT64:
        carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in carried if address is not None]


def _loopback_allowed(ip: IPAddress) -> bool:
    if not getattr(settings, "OUTBOUND_ALLOW_LOOPBACK", False):
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_public(ip: IPAddress) -> bool:
    """True for an address on the public internet (or a loopback one, when settings allow)."""
    if _loopback_allowed(ip):
        return True
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in block for block in NOT_GLOBAL_IPV6):
            return False
        return all(is_public(carried) for carried in _embedded_ipv4(ip))
    return True


def public_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """What ``host`` resolves to (``socket.getaddrinfo``'s rows), each on the public internet;
    ``AddressNotPublic`` if any is not (a name with one private address among public ones may
    be steered to it). A name that does not resolve raises ``socket.gaierror``."""
    found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    for *_rest, address in found:
        if not is_public(ipaddress.ip_address(address[0])):
            raise AddressNotPublic(host)
    return found


def check_web_address(url: str) -> None:
    """For a form: ``Refused`` with a sentence if ``url`` is not an http or https address, or
    its host is (or resolves to) an address inside a private network. A host name that does not
    resolve now passes: the connection checks it again."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(NOT_A_WEB_ADDRESS)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused(NOT_A_WEB_ADDRESS) from error
    try:
        public_addresses(parts.hostname, port)
    except AddressNotPublic as refused:
        raise Refused(ENTER_A_PUBLIC_ADDRESS.format(host=parts.hostname)) from refused
    except (OSError, UnicodeError):
        return


class _PublicOnly(HTTPConnection):
    """A connection made only to an address checked as public (see the module)."""

    def _new_conn(self) -> socket.socket:
        try:
            found = public_addresses(self._dns_host.rstrip("."), self.port)
        except (socket.gaierror, UnicodeError) as error:
            raise NameResolutionError(self.host, self, socket.gaierror(str(error))) from error
        failure: OSError | None = None
        for *_rest, address in found:
            try:
                return create_connection(
                    (address[0], self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out (timeout={self.timeout})."
                ) from error
            except OSError as error:
                failure = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _PublicHTTPConnection(_PublicOnly):
    pass


class _PublicHTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


def public_pool_manager(**options: Any) -> urllib3.PoolManager:
    """A ``urllib3.PoolManager`` (given ``options``: timeout, retries, headers) whose every
    connection goes only to an address on the public internet; ``AddressNotPublic`` otherwise.
    TLS still checks the certificate against the host name, not the address."""
    manager = urllib3.PoolManager(**options)
    manager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}
    return manager

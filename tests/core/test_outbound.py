"""The one rule for addresses the portal connects to on a person's say-so (webhooks, bodies'
calendars): the public internet only, checked on the address typed and on every connection."""

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import urllib3

from core.exceptions import Refused
from core.outbound import (
    AddressNotPublic,
    check_web_address,
    is_public,
    public_addresses,
    public_pool_manager,
)

INSIDE = [
    "127.0.0.1",  # loopback
    "127.3.4.5",
    "10.1.2.3",  # private
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud's metadata service
    "100.64.0.1",  # shared (carrier-grade NAT)
    "0.0.0.0",  # this host
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "2001:db8::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
    "2002:a00:1::",  # 6to4 carrying 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 carrying 10.0.0.1
    "::7f00:1",  # IPv4-compatible (deprecated) carrying 127.0.0.1
    "::a9fe:a9fe",  # IPv4-compatible carrying 169.254.169.254
    "::ffff:0:7f00:1",  # IPv4-translated (SIIT) carrying 127.0.0.1
    "::ffff:0:808:808",  # IPv4-translated: never an address on the internet itself
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215)
    "fec0::1",  # site-local (deprecated)
    "5f00::1",  # SRv6 segment id (RFC 9602)
]
OUTSIDE = [
    "8.8.8.8",
    "93.184.216.34",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::",
    "64:ff9b::808:808",  # NAT64 carrying 8.8.8.8: how an IPv6-only host reaches it
]


@pytest.mark.parametrize("address", INSIDE)
def test_an_address_inside_a_network_is_not_public(address, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", OUTSIDE)
def test_an_address_on_the_internet_is_public(address, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_the_setting_lets_loopback_through_and_nothing_else(address, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    assert is_public(ipaddress.ip_address(address))
    assert not is_public(ipaddress.ip_address("10.1.2.3"))
    assert not is_public(ipaddress.ip_address("169.254.169.254"))


def test_the_setting_is_off_unless_set(settings):
    from bluelight import settings as configured

    assert configured.OUTBOUND_ALLOW_LOOPBACK is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0:6379/",
        "https://intranet.example.org/hook",
        "https://mixed.example.org/hook",
    ],
)
def test_a_typed_address_inside_a_network_is_refused_with_a_sentence(url, settings, resolver):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("intranet.example.org", ["10.20.30.40"])
    # One private address among public ones is enough: the connection might be steered to it.
    resolver.answer("mixed.example.org", ["93.184.216.34", "192.168.0.10"])
    with pytest.raises(Refused, match="Enter a web address on the public internet"):
        check_web_address(url)


@pytest.mark.parametrize(
    "url", ["https://cases.example.org/hook", "https://not-yet-registered.example.org/"]
)
def test_a_public_or_not_yet_resolvable_address_passes(url, settings, resolver):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("cases.example.org", ["93.184.216.34", "2606:2800:220:1::"])
    check_web_address(url)  # the unresolvable one is checked again on connection


@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "http://", "hook"])
def test_an_address_that_is_not_a_web_address_is_refused(url):
    with pytest.raises(Refused, match="starting with https://"):
        check_web_address(url)


def test_the_names_addresses_are_each_checked(settings, resolver):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("cases.example.org", ["93.184.216.34", "169.254.169.254"])
    with pytest.raises(AddressNotPublic, match=r"cases\.example\.org is, or resolves to"):
        public_addresses("cases.example.org", 443)


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_no_connection_is_made_to_a_loopback_address(settings, local_server):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    pool = public_pool_manager(retries=False, timeout=2.0)
    with pytest.raises(AddressNotPublic):
        pool.request("GET", f"http://127.0.0.1:{local_server}/")


def test_a_name_resolving_inside_the_network_is_not_connected_to(settings, resolver, local_server):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("rebinding.example.org", ["127.0.0.1"])
    pool = public_pool_manager(retries=False, timeout=2.0)
    with pytest.raises(AddressNotPublic):
        pool.request("GET", f"http://rebinding.example.org:{local_server}/")


def test_the_connection_goes_to_the_address_that_was_checked(settings, resolver, local_server):
    """A name that resolves to an allowed address when checked and elsewhere a moment later
    (DNS rebinding) is connected to at the address checked: it is looked up once."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    resolver.answer("rebinding.example.org", ["127.0.0.1"], ["10.9.9.9"])
    pool = public_pool_manager(retries=False, timeout=2.0)
    response = pool.request("GET", f"http://rebinding.example.org:{local_server}/")
    assert (response.status, response.data) == (200, b"hello")
    assert resolver.lookups == ["rebinding.example.org"]


def test_an_unknown_name_is_a_name_resolution_error(settings, resolver):
    pool = public_pool_manager(retries=False, timeout=2.0)
    with pytest.raises(urllib3.exceptions.NameResolutionError):
        pool.request("GET", "http://no-such-host.invalid/")


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on loopback whose certificate (self-signed, trusted by the test's pool)
    names secure.example.org only."""
    import datetime as dt
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secure.example.org")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("secure.example.org")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = HTTPServer(("127.0.0.1", 0), _Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, str(cert_file)
    server.shutdown()
    server.server_close()


def test_tls_checks_the_certificate_against_the_name_not_the_address(
    settings, resolver, tls_server
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    port, ca = tls_server
    resolver.answer("secure.example.org", ["127.0.0.1"])
    resolver.answer("impostor.example.org", ["127.0.0.1"])
    pool = public_pool_manager(retries=False, timeout=5.0, ca_certs=ca)
    response = pool.request("GET", f"https://secure.example.org:{port}/")
    assert (response.status, response.data) == (200, b"hello")
    mismatch = r"not valid for 'impostor\.example\.org'"
    with pytest.raises(urllib3.exceptions.SSLError, match=mismatch):
        pool.request("GET", f"https://impostor.example.org:{port}/")

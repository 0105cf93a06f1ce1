"""A test certificate authority and the board's signing certificate under it, made afresh in the
test (cryptography), and the settings that point the portal at them."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "test-signing-passphrase"


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Blue Light Test Authority"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_authority(common_name: str = "Blue Light Test Root CA") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def make_signing_pkcs12(
    authority: Authority, common_name: str = "Warwickshire Blue Light Board"
) -> bytes:
    """A signing certificate issued by ``authority``, with its key and the authority's
    certificate, as a PKCS#12 file protected by ``PASSPHRASE``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .sign(authority.key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name=common_name.encode(),
        key=key,
        cert=certificate,
        cas=[authority.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )


def configure_signing(settings, folder: Path, authority: Authority | None = None) -> Authority:
    """Point the portal at a fresh signing certificate (under ``authority``, or a new one)."""
    from core.signing import _key_material

    authority = authority or make_authority()
    path = folder / "board-signing.p12"
    path.write_bytes(make_signing_pkcs12(authority))
    settings.PDF_SIGNING_CERTIFICATE = str(path)
    settings.PDF_SIGNING_PASSPHRASE = PASSPHRASE
    _key_material.cache_clear()
    return authority


@pytest.fixture
def signing_authority(settings, tmp_path) -> Authority:
    """The portal configured with a signing certificate under a test CA made for this test."""
    return configure_signing(settings, tmp_path)


@pytest.fixture(autouse=True)
def _no_signing_key_left_over():
    """Each test reads the signing certificate afresh (a test's settings go with it)."""
    from core.signing import _key_material

    _key_material.cache_clear()
    yield
    _key_material.cache_clear()


def validate_with(authority: Authority, content: bytes):
    """pyHanko's own verdict on the PDF's last signature, trusting only ``authority``."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    from core.signing import validated

    root = asn1_x509.Certificate.load(
        authority.certificate.public_bytes(serialization.Encoding.DER)
    )
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validated(reader.embedded_signatures[-1], context)

"""Signing the portal's PDFs with the board's certificate (pyHanko, PAdES), and checking a PDF's
signature against it.

Signing is the last step on a PDF's bytes, after everything that draws on its pages (the
templates, stamps, markings): a change to the bytes after signing breaks the signature. The
certificate and key are a PKCS#12 file named by ``PDF_SIGNING_CERTIFICATE`` with the passphrase
``PDF_SIGNING_PASSPHRASE``; without one, ``sign_pdf`` hands the bytes back unsigned and says so.
pyHanko is imported inside the functions: it is heavy, and only the workers sign.
"""

import asyncio
import hashlib
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # pragma: no cover
    from asn1crypto import x509  # type: ignore[import-untyped]

log = logging.getLogger(__name__)
T = TypeVar("T")

SIGNATURE_FIELD = "BoardSignature"
PDF_MAGIC = b"%PDF-"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def signing_configured() -> bool:
    """Whether the board's signing certificate is configured."""
    return bool(settings.PDF_SIGNING_CERTIFICATE)


@dataclass(frozen=True)
class KeyMaterial:
    signer: Any  # pyhanko.sign.signers.SimpleSigner
    trust_roots: tuple["x509.Certificate", ...]
    subject: str


@lru_cache(maxsize=4)
def _key_material(path: str, passphrase: str) -> KeyMaterial:
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            Path(path).read_bytes(), other_certs=(), passphrase=passphrase.encode() or None
        )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            "The PDF signing certificate could not be read: check PDF_SIGNING_CERTIFICATE "
            "and PDF_SIGNING_PASSPHRASE."
        ) from error
    certificate = signer.signing_cert
    # The certificate authorities in the file are the roots a signature is checked against,
    # so a certificate renewed under the same authority still vouches for older PDFs; a
    # self-signed certificate is its own root.
    others = tuple(c for c in signer.cert_registry if c.dump() != certificate.dump())
    return KeyMaterial(
        signer=signer,
        trust_roots=others or (certificate,),
        subject=certificate.subject.human_friendly,
    )


def key_material() -> KeyMaterial | None:
    """The configured key and certificates (read once per process), or None."""
    if not signing_configured():
        return None
    return _key_material(settings.PDF_SIGNING_CERTIFICATE, settings.PDF_SIGNING_PASSPHRASE)


@dataclass(frozen=True)
class Issued:
    """A PDF ready to store: its bytes, their SHA-256, and whether they carry a signature."""

    content: bytes
    sha256: str
    signed: bool


def sign_pdf(content: bytes, *, reason: str) -> Issued:
    """The PDF signed with the board's certificate (PAdES baseline B), the signature's reason
    saying who approved it; the bytes unchanged when no certificate is configured."""
    material = key_material()
    if material is None:
        return Issued(content, sha256_of(content), signed=False)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason[:300],
        location=settings.PORTAL_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    output = outside_event_loop(
        lambda: signers.sign_pdf(writer, metadata, signer=material.signer).getvalue()
    )
    return Issued(output, sha256_of(output), signed=True)


def outside_event_loop(work: Callable[[], T]) -> T:
    """``work()``, which runs asyncio itself (pyHanko signs and validates with asyncio.run):
    where an event loop already runs in this thread (an async server, a browser-test driver),
    in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature(s) of a PDF say. ``present``: it carries a signature; ``intact``: the
    signed bytes are unchanged and the signature is mathematically sound; ``trusted``: the
    signing certificate chains to the board's; ``whole_file``: nothing was added after signing."""

    present: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""
    reason: str = ""
    signed_at: datetime | None = None
    problem: str = ""

    @property
    def vouches(self) -> bool:
        """The board's certificate vouches for every byte of the file."""
        return self.present and self.intact and self.trusted and self.whole_file


def looks_like_pdf(content: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (within its first kilobyte, as readers allow)."""
    return PDF_MAGIC in content[:1024]


def check_signature(content: bytes) -> SignatureCheck:
    """Check the PDF's last signature against the board's certificate (without one configured,
    a signature can be found sound but never trusted)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        log.info("An uploaded PDF could not be read for its signature: %s", error)
        return SignatureCheck(present=False, problem="The file could not be read as a PDF.")
    if not signatures:
        return SignatureCheck(present=False)
    return _validate(signatures[-1])


def _validate(embedded: Any) -> SignatureCheck:
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    material = key_material()
    context = ValidationContext(
        trust_roots=list(material.trust_roots) if material else [],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    reason = str(embedded.sig_object.get("/Reason", ""))
    try:
        status = validated(embedded, context)
    except (SignatureValidationError, SigningError, ValueError, KeyError, TypeError) as error:
        log.info("A PDF signature could not be validated: %s", error)
        return SignatureCheck(present=True, reason=reason, problem=str(error)[:200])
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and status.modification_level in (
        None,
        ModificationLevel.NONE,
    )
    return SignatureCheck(
        present=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=whole,
        signer=status.signing_cert.subject.human_friendly,
        reason=reason,
        signed_at=status.signer_reported_dt,
    )


def validated(embedded: Any, context: Any) -> Any:
    """pyHanko's status of one embedded signature. pyHanko validates in asyncio; where an
    event loop already runs in this thread (an async server, a browser-test driver), the
    validation runs in a thread of its own."""
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature

    async def validate() -> Any:
        return await async_validate_pdf_signature(
            embedded_sig=embedded, signer_validation_context=context
        )

    return outside_event_loop(lambda: asyncio.run(validate()))

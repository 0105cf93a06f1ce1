"""What an uploaded paper really is, judged by its content: never by its name or Content-Type.

PDFs, images and Office documents (Word, Excel, PowerPoint in their modern OOXML form) are
accepted. Office files are zip archives; they are opened and checked for the parts a real
document has, with a cap on the number of entries and on their unpacked size, so a zip bomb is
refused before anyone opens it.

Every upload, whatever form it comes through, is scanned by ClamAV (``scan_for_viruses``) before
it is stored: an infected file is refused with a form error and recorded in the audit trail.
"""

import copy
import hashlib
import logging
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.template.defaultfilters import filesizeformat

from . import clamd

logger = logging.getLogger("bluelight.uploads")

MAX_ZIP_ENTRIES = 2000
MAX_UNPACKED_SIZE = 250 * 1024 * 1024
UNPACK_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    extension: str
    content_type: str


PDF = Kind("pdf", "PDF", "pdf", "application/pdf")
PNG = Kind("png", "PNG image", "png", "image/png")
JPEG = Kind("jpeg", "JPEG image", "jpg", "image/jpeg")
GIF = Kind("gif", "GIF image", "gif", "image/gif")
DOCX = Kind(
    "docx",
    "Word document",
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = Kind(
    "xlsx",
    "Excel workbook",
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
PPTX = Kind(
    "pptx",
    "PowerPoint presentation",
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
KINDS = {kind.code: kind for kind in (PDF, PNG, JPEG, GIF, DOCX, XLSX, PPTX)}

SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
]
# The part that makes an OOXML package a document of each kind.
OFFICE_MAIN_PARTS = [
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
]

NOT_ACCEPTED = (
    "This file is not a PDF, a Word, Excel or PowerPoint document or an image (PNG, JPEG, GIF), "
    "whatever its name says. Save it in one of those formats and upload it again."
)


def check_upload(upload) -> Kind:
    """Everything asked of a paper or document before it is stored: its size, no virus, and
    what kind of document it is. ValidationError with a human sentence otherwise."""
    _check_size(upload)
    scan_for_viruses(upload)
    return detect_kind(upload)


def detect_kind(upload) -> Kind:
    """The kind of document the upload is; ValidationError with a human sentence otherwise."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        raise ValidationError(
            "This file is a program, not a document, so it cannot be uploaded. " + NOT_ACCEPTED,
            code="program",
        )
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    raise ValidationError(NOT_ACCEPTED, code="unknown_type")


def _check_size(upload) -> None:
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; the largest paper the portal "
            f"accepts is {filesizeformat(settings.MAX_UPLOAD_SIZE)}. "
            "Reduce its size (for example, save a PDF with smaller images) and try again.",
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError("This file is empty.", code="empty")


ZIP_BOMB = (
    "This Office file unpacks to far more than a document would, so it cannot be accepted. "
    "Save it again from Word, Excel or PowerPoint."
)
DAMAGED = (
    "This file looks like an Office document but is damaged. Save it again and upload the new copy."
)


def _office_kind(upload) -> Kind:
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ValidationError(ZIP_BOMB, code="zip_bomb")
            _unpack_within_cap(archive, entries)
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # Damaged, truncated, encrypted or packed with a method Office never uses.
        raise ValidationError(DAMAGED, code="damaged") from None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        raise ValidationError(NOT_ACCEPTED, code="unknown_type")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            "This Office file contains macros, which the portal does not accept. Save it as an "
            "ordinary .docx, .xlsx or .pptx file and upload it again.",
            code="macros",
        )
    for part, kind in OFFICE_MAIN_PARTS:
        if part in names:
            return kind
    raise ValidationError(NOT_ACCEPTED, code="unknown_type")


def _unpack_within_cap(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Unpacks every entry, counting the bytes that really come out, and stops at
    MAX_UNPACKED_SIZE in all. The sizes an archive declares are never trusted: each entry is
    read to the end of its compressed data, so one that declares 1 KB and unpacks to 1 GB is
    stopped at the cap (and a size or checksum that does not match is a damaged file)."""
    budget = MAX_UNPACKED_SIZE
    for entry in entries:
        undeclared = copy.copy(entry)
        # zipfile stops reading at the declared size (and then checks the checksum); let it
        # read past what is left of the cap by more than one chunk, so the real size decides
        # and going over is noticed here first.
        undeclared.file_size = budget + UNPACK_CHUNK + 1
        unpacked = 0
        with archive.open(undeclared) as member:
            while chunk := member.read(UNPACK_CHUNK):
                unpacked += len(chunk)
                if unpacked > budget:
                    raise ValidationError(ZIP_BOMB, code="zip_bomb")
        if unpacked != entry.file_size:  # Office never writes a wrong size: a crafted file
            raise zipfile.BadZipFile(f"{entry.filename} is not the size it declares")
        budget -= unpacked


def safe_original_name(name: str, kind: Kind) -> str:
    """The uploader's file name, without a path or control characters, ending as its kind."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:150] or "paper"
    return f"{stem}.{kind.extension}"


# --- the virus check -----------------------------------------------------------------------------

SCAN_CHUNK = 64 * 1024
NOT_CHECKED = "The file could not be checked for viruses. Try again later."
TOO_LARGE_TO_CHECK = (
    "The file is larger than the virus check accepts, so it was not uploaded. Reduce its size "
    "and try again."
)


def scan_for_viruses(upload) -> None:
    """Refuse the upload (ValidationError) when ClamAV finds a virus in it, or when ClamAV cannot
    give a verdict and CLAMD_UNREACHABLE is "refuse". Both are recorded in the audit trail with
    the file's name, size and SHA-256. Nothing happens when no clamd is configured."""
    scanner = clamd.configured_scanner()
    if scanner is None:
        return
    name = _display_name(upload)
    try:
        signature = scanner.scan(_chunks(upload))
    except clamd.ScannerUnavailable as error:
        _scan_failed(upload, name, error)
        return
    finally:
        upload.seek(0)
    if signature:
        logger.warning("Upload %r refused: ClamAV found %s", name, signature)
        _record(
            "upload.virus_found",
            f"Refused {name}: {signature}",
            _facts(upload, name, signature=signature),
        )
        raise ValidationError(
            f"{name} contains a virus ({signature}) and was not uploaded.", code="virus"
        )


def _scan_failed(upload, name: str, error: clamd.ScannerUnavailable) -> None:
    too_large = isinstance(error, clamd.StreamTooLarge)
    refused = too_large or settings.CLAMD_UNREACHABLE == "refuse"
    logger.error("Upload %r not scanned (%s): %s", name, "refused" if refused else "kept", error)
    _record(
        "upload.not_scanned",
        f"{'Refused' if refused else 'Accepted'} {name} without a virus check",
        _facts(upload, name, error=str(error), refused=refused),
    )
    if too_large:
        raise ValidationError(TOO_LARGE_TO_CHECK, code="too_big_to_scan")
    if refused:
        raise ValidationError(NOT_CHECKED, code="not_scanned")


# Sent with ``verb``, ``summary`` and ``facts`` when an upload is refused by the virus check or
# not scanned: the audit trail records it against the request being answered (audit/signals.py).
virus_check_event = Signal()


def _record(verb: str, summary: str, facts: dict) -> None:
    virus_check_event.send(sender=scan_for_viruses, verb=verb, summary=summary, facts=facts)


def _chunks(upload) -> Iterator[bytes]:
    upload.seek(0)
    while chunk := upload.read(SCAN_CHUNK):
        yield chunk


def _facts(upload, name: str, **more) -> dict:
    """What the audit trail keeps of a refused or unscanned file (never its content)."""
    digest = hashlib.sha256()
    for chunk in _chunks(upload):
        digest.update(chunk)
    upload.seek(0)
    return {"name": name, "size": upload.size, "sha256": digest.hexdigest(), **more}


def _display_name(upload) -> str:
    """The uploader's file name without a path or control characters, for messages."""
    name = posixpath.basename((upload.name or "").replace("\\", "/"))
    return "".join(ch for ch in name if ch.isprintable())[:200] or "The file"

"""Checking uploaded papers by what they contain, not by their name or declared type."""

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

OOXML_MAX_ENTRIES = 2000
OOXML_MAX_UNCOMPRESSED = 200 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extension: str


PDF = FileKind("PDF", "application/pdf", "pdf")
PNG = FileKind("PNG image", "image/png", "png")
JPEG = FileKind("JPEG image", "image/jpeg", "jpg")
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = FileKind(
    "Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
)
PPTX = FileKind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
)
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ACCEPTED = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG or JPEG"


def validate_upload(upload, *, max_size: int) -> FileKind:
    """The kind of an uploaded file, or a ValidationError saying clearly why it is refused."""
    if upload.size > max_size:
        raise ValidationError(
            f"“{upload.name}” is {filesizeformat(upload.size)}; files may be at most "
            f"{filesizeformat(max_size)}."
        )
    if upload.size == 0:
        raise ValidationError(f"“{upload.name}” is empty.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(upload)
    raise ValidationError(
        f"“{upload.name}” is not a file type the portal accepts. Upload a {ACCEPTED} file."
    )


def _ooxml_kind(upload) -> FileKind:
    refused = ValidationError(
        f"“{upload.name}” is not a valid Word, Excel or PowerPoint file. Upload a {ACCEPTED} file."
    )
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > OOXML_MAX_ENTRIES:
                raise refused
            if sum(entry.file_size for entry in entries) > OOXML_MAX_UNCOMPRESSED:
                raise refused
            names = [entry.filename for entry in entries]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        raise refused
    for prefix, kind in OOXML_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    raise refused

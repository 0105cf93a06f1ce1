"""Word, Excel and PowerPoint papers converted to PDF with LibreOffice, so that they appear in
the agenda packs and open in the viewer.

A worker converts each Office paper version once (``soffice --headless --convert-to pdf``, with a
time limit) and stores the PDF beside the original. Without LibreOffice on the worker the version
waits, and the portal says it is "not converted yet"; the sweep converts it once LibreOffice is
installed.
"""

import logging
import shutil
import subprocess
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from .models import PaperVersion

log = logging.getLogger(__name__)
Conversion = PaperVersion.Conversion


class ConversionFailed(Exception):
    pass


def libreoffice() -> str | None:
    """The LibreOffice program the workers run, or None when it is not installed."""
    return shutil.which(settings.SOFFICE_BINARY)


def office_to_pdf(content: bytes, extension: str, *, program: str) -> bytes:
    """The document as a PDF, converted in a folder of its own (with its own LibreOffice
    profile, so conversions side by side never share one); ``ConversionFailed`` otherwise."""
    with tempfile.TemporaryDirectory(prefix="bluelight-convert-") as folder:
        source = Path(folder, f"paper.{extension}")
        source.write_bytes(content)
        command = [
            program,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 - our own arguments; the file has a generated name
                command,
                check=True,
                capture_output=True,
                timeout=settings.OFFICE_CONVERSION_TIMEOUT,
            )
        except (subprocess.SubprocessError, OSError) as error:
            raise ConversionFailed(str(error)) from error
        result = Path(folder, "paper.pdf")
        if not result.exists() or not result.read_bytes().startswith(b"%PDF"):
            raise ConversionFailed("LibreOffice wrote no PDF")
        return result.read_bytes()


def _after_any_conversion() -> timedelta:
    return timedelta(seconds=settings.OFFICE_CONVERSION_TIMEOUT + 60)


def paper_version_convert(*, version_id: int) -> bool:
    """Convert one waiting Office paper version; True when its PDF was stored (the caller
    rebuilds the meeting's pack). Quietly False if there is nothing to do, LibreOffice is not
    installed (the version keeps waiting) or the conversion failed (marked failed)."""
    version = PaperVersion.objects.filter(pk=version_id, pdf_state=Conversion.WAITING).first()
    if version is None:
        return False
    program = libreoffice()
    if program is None:
        log.warning("Paper version %s waits: LibreOffice is not installed", version_id)
        return False
    # Not queued again by the sweep while this conversion may still be running.
    PaperVersion.objects.filter(pk=version_id).update(
        pdf_next_attempt_at=timezone.now() + _after_any_conversion()
    )
    try:
        with version.file.open("rb") as handle:
            content = office_to_pdf(handle.read(), version.kind, program=program)
    except (ConversionFailed, OSError):
        log.exception("Paper version %s could not be converted to PDF", version_id)
        PaperVersion.objects.filter(pk=version_id, pdf_state=Conversion.WAITING).update(
            pdf_state=Conversion.FAILED, pdf_next_attempt_at=None
        )
        return False
    storage = version.pdf_file.storage
    name = storage.save(f"papers/converted/{uuid.uuid4().hex}.pdf", ContentFile(content))
    stored = PaperVersion.objects.filter(pk=version_id, pdf_state=Conversion.WAITING).update(
        pdf_state=Conversion.READY, pdf_file=name, pdf_next_attempt_at=None
    )
    if not stored:  # converted meanwhile by a duplicate task
        storage.delete(name)
    return bool(stored)


def conversions_due(limit: int) -> list[int]:
    """Office paper versions waiting past their time, when LibreOffice is here to convert
    them (none otherwise: they keep waiting, and the portal keeps saying so)."""
    if libreoffice() is None:
        return []
    now = timezone.now()
    return list(
        PaperVersion.objects.filter(pdf_state=Conversion.WAITING, pdf_next_attempt_at__lte=now)
        .order_by("pdf_next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )

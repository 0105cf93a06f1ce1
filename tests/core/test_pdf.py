"""The print stylesheet is parsed once per process and read again when its file changes; every
PDF is drawn with it."""

import io
import os

from pypdf import PdfReader

from core import pdf
from core.markings import OFFICIAL


def test_the_print_stylesheet_is_parsed_once_and_again_when_the_file_changes(monkeypatch, tmp_path):
    stylesheet = tmp_path / "pdf.css"
    stylesheet.write_text("body { color: #111; }")
    monkeypatch.setattr(pdf, "stylesheet_path", lambda: str(stylesheet))

    first = pdf.print_stylesheet()
    assert pdf.print_stylesheet() is first

    stylesheet.write_text("body { color: #222; }")
    modified = os.stat(stylesheet).st_mtime_ns + 1_000_000_000
    os.utime(stylesheet, ns=(modified, modified))
    assert pdf.print_stylesheet() is not first


def test_a_pdf_is_drawn_with_the_print_stylesheet_and_its_marking(monkeypatch, tmp_path):
    """The stylesheet's page size and the marking's margin boxes reach the PDF."""
    stylesheet = tmp_path / "pdf.css"
    stylesheet.write_text("@page { size: A5; }")
    monkeypatch.setattr(pdf, "stylesheet_path", lambda: str(stylesheet))
    # Drawn here, not taken from what an earlier test drew.
    monkeypatch.setattr(pdf, "lay_out", pdf.lay_out.__wrapped__)

    page = PdfReader(io.BytesIO(pdf.lay_out("<p>Agreed.</p>", pdf.marking_css(OFFICIAL)))).pages[0]

    assert round(float(page.mediabox.width)) == 420  # A5, 148 mm, in points
    text = page.extract_text()
    assert "Agreed." in text and OFFICIAL.text in text

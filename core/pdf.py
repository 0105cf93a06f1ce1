"""PDFs drawn from templates by WeasyPrint, with the portal's print stylesheet, every page
stamped with the document's handling marking (core.markings) at its head and foot."""

import functools
import io
import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .markings import Marking

if TYPE_CHECKING:
    from weasyprint import CSS

PDF_STYLESHEET = "css/pdf.css"


def stylesheet_path() -> str:
    """Where the print stylesheet is (the static files' finders, so an app may override it)."""
    stylesheet = finders.find(PDF_STYLESHEET)
    if stylesheet is None:  # pragma: no cover - the stylesheet ships with the portal app
        raise FileNotFoundError(f"The PDF stylesheet {PDF_STYLESHEET} is missing.")
    return str(stylesheet)


@functools.lru_cache(maxsize=4)
def _parsed_stylesheet(path: str, modified: int) -> "CSS":
    from weasyprint import CSS

    return CSS(filename=path)


def print_stylesheet() -> "CSS":
    """The print stylesheet, parsed once per process and again only when the file changes
    (WeasyPrint reads a parsed stylesheet without changing it, so documents share it)."""
    path = stylesheet_path()
    return _parsed_stylesheet(path, os.stat(path).st_mtime_ns)


def marking_css(marking: Marking) -> str:
    """The marking in the top and bottom margin boxes of every page (pdf.css styles them)."""
    text = json.dumps(marking.text)  # a CSS string: the marking's text has no quote to escape
    return f"@page {{ @top-center {{ content: {text}; }} @bottom-left {{ content: {text}; }} }}"


def render_pdf(template: str, context: dict, *, marking: Marking) -> bytes:
    """The template rendered as a PDF, every page stamped with ``marking`` (the strictest of
    what it holds; the template may also show it as ``marking``). WeasyPrint is imported where
    pages are drawn: it is heavy, and only the workers draw PDFs."""
    html = render_to_string(
        template, {"portal_name": settings.PORTAL_NAME, "marking": marking, **context}
    )
    return lay_out(html, marking_css(marking))


def lay_out(html: str, page_css: str) -> bytes:
    """WeasyPrint's PDF of ``html`` with the print stylesheet and then ``page_css``."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[print_stylesheet(), CSS(string=page_css)]
    )


def render_pdf_in_parts(template: str, contexts: Iterable[dict], *, marking: Marking) -> bytes:
    """One PDF from the template rendered once per context, each part laid out by WeasyPrint
    on its own and the parts joined in order (pypdf). A long document is drawn a few hundred
    rows at a time, so the worker's memory stays bounded by the largest part rather than
    growing with the whole. Every page carries the marking, and the page numbers run on
    across the parts. The first part's title is the document's."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import CSS, HTML

    sheets = [print_stylesheet(), CSS(string=marking_css(marking))]
    writer = PdfWriter()
    pages = 0
    for context in contexts:
        html = render_to_string(
            template, {"portal_name": settings.PORTAL_NAME, "marking": marking, **context}
        )
        # The page counter starts where the previous part stopped.
        numbering = [CSS(string=f"@page :first {{ counter-reset: page {pages + 1}; }}")]
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
            stylesheets=sheets + (numbering if pages else [])
        )
        part = PdfReader(io.BytesIO(document.write_pdf()))
        del document, html
        if not pages and part.metadata:
            writer.add_metadata(dict(part.metadata))
        writer.append(part, import_outline=False)
        pages += len(part.pages)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()

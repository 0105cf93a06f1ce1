"""PDFs drawn from templates by WeasyPrint, with the portal's print stylesheet, every page
stamped with the document's handling marking (core.markings) at its head and foot."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .markings import Marking

PDF_STYLESHEET = "css/pdf.css"


def marking_css(marking: Marking) -> str:
    """The marking in the top and bottom margin boxes of every page (pdf.css styles them)."""
    text = json.dumps(marking.text)  # a CSS string: the marking's text has no quote to escape
    return f"@page {{ @top-center {{ content: {text}; }} @bottom-left {{ content: {text}; }} }}"


def render_pdf(template: str, context: dict, *, marking: Marking) -> bytes:
    """The template rendered as a PDF, every page stamped with ``marking`` (the strictest of
    what it holds; the template may also show it as ``marking``). WeasyPrint is imported here:
    it is heavy, and only the workers draw PDFs."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        template, {"portal_name": settings.PORTAL_NAME, "marking": marking, **context}
    )
    stylesheet = finders.find(PDF_STYLESHEET)
    if stylesheet is None:  # pragma: no cover - the stylesheet ships with the portal app
        raise FileNotFoundError(f"The PDF stylesheet {PDF_STYLESHEET} is missing.")
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(stylesheet)), CSS(string=marking_css(marking))]
    )

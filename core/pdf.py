"""PDFs drawn from templates by WeasyPrint, with the portal's print stylesheet."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_STYLESHEET = "css/pdf.css"


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered as a PDF. WeasyPrint is imported here: it is heavy, and only the
    workers draw PDFs."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, {"portal_name": settings.PORTAL_NAME, **context})
    stylesheet = finders.find(PDF_STYLESHEET)
    if stylesheet is None:  # pragma: no cover - the stylesheet ships with the portal app
        raise FileNotFoundError(f"The PDF stylesheet {PDF_STYLESHEET} is missing.")
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))]
    )

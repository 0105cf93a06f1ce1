"""Emails rendered from templates: a subject, a plain-text body and an HTML body."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(
    *,
    template: str,
    to: list[str],
    context: dict,
    attachments: list | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and send them.

    ``attachments`` are ``(filename, content, mimetype)`` triples, e.g. an ``.ics`` invitation;
    ``headers`` extra message headers, e.g. ``List-Unsubscribe`` or a fixed ``Message-ID``.
    """
    context = {"portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL, **context}
    subject: str = render_to_string(f"emails/{template}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    message.send()

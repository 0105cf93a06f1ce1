"""Browser-facing safeguards: headers, a strict CSP the templates obey, idle sessions ending."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "portal" / "templates"


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_have_no_inline_script_style_or_handlers(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\sstyle\s*=", text), "style= attribute"
    assert not re.search(r"<style\b", text), "<style> element"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"


def test_media_urls_are_never_served(client_of, bob):
    assert client_of(bob).get("/media/anything.pdf").status_code == 404


def test_session_ends_after_the_idle_timeout(client_of, bob):
    client = client_of(bob)
    assert client.get(reverse("home")).status_code == 200
    later = timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60)
    with time_machine.travel(later):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive(client_of, bob):
    client = client_of(bob)
    step = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT * 2 // 3)
    now = timezone.now()
    for hop in range(1, 4):  # three visits, together longer than the timeout
        with time_machine.travel(now + step * hop):
            assert client.get(reverse("home")).status_code == 200


def test_bad_request_page_is_a_human_sentence(client):
    response = client.get(reverse("login"), headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()

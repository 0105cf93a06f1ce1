"""A web worker holds only what it needs to serve pages: the libraries that draw PDFs, build
workbooks, QR codes and calendars, or check a single sign-on are imported where they are used,
never when the portal starts. Each web worker would otherwise carry them all (tens of MB each).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imported only by the code that needs them (mostly the Celery worker's tasks).
HEAVY = [
    "weasyprint",
    "pypdf",
    "fontTools",
    "pyhanko",
    "openpyxl",
    "qrcode",
    "icalendar",
    "recurring_ical_events",
    "mozilla_django_oidc.auth",
    "jwt",
    "requests",
]

STARTS = f"""
import json, sys
import bluelight.wsgi
from django.contrib.auth import get_backends
from django.urls import get_resolver

get_resolver().url_patterns  # every URLconf, so every view module
get_backends()  # every sign-in backend, as a password sign-in loads them
print(json.dumps(sorted(name for name in {HEAVY!r} if name in sys.modules)))
"""


def test_a_web_worker_starts_without_the_document_and_sign_on_libraries():
    result = subprocess.run(
        [sys.executable, "-c", STARTS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bluelight.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []

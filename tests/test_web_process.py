"""The portal as gunicorn loads it, in a fresh process.

A web worker holds only what it needs to serve pages: the libraries that draw PDFs, build
workbooks, QR codes and calendars, or check a single sign-on are imported where they are used,
never when the portal starts. Each web worker would otherwise carry them all (tens of MB each).

Gunicorn loads the portal once in its master process and forks the workers from it
(``preload_app`` in ``bluelight/gunicorn.py``): loading must open no database connection and
start no thread, which the forked workers would otherwise share.
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
import json, sys, threading
import bluelight.wsgi
from django.contrib.auth import get_backends
from django.db import connections
from django.urls import get_resolver

get_resolver().url_patterns  # every URLconf, so every view module
get_backends()  # every sign-in backend, as a password sign-in loads them
print(json.dumps({{
    "heavy": sorted(name for name in {HEAVY!r} if name in sys.modules),
    "connected": [c.alias for c in connections.all() if c.connection is not None],
    "threads": threading.active_count(),
}}))
"""


def _load_the_portal() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", STARTS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bluelight.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_worker_starts_without_the_document_and_sign_on_libraries():
    assert _load_the_portal()["heavy"] == []


def test_loading_the_portal_opens_no_connection_and_starts_no_thread():
    loaded = _load_the_portal()
    assert loaded["connected"] == []
    assert loaded["threads"] == 1

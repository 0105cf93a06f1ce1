"""The viewer runs on PDF.js served by the portal itself, under the strict policy."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_policy_allows_workers_from_the_portal_only(client_of, open_paper, bob):
    response = client_of(bob).get(
        reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk])
    )
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "blob:" not in policy


@pytest.mark.parametrize(
    "name",
    [
        "vendor/pdfjs/pdf.min.mjs",
        "vendor/pdfjs/pdf.worker.min.mjs",
        "vendor/pdfjs/text_layer.css",
        "vendor/pdfjs/LICENSE",
        "js/paper_viewer.js",
        "css/paper_viewer.css",
    ],
)
def test_the_viewer_files_are_vendored(name):
    assert finders.find(name), name


def test_the_viewer_page_loads_pdfjs_from_the_portal(client_of, open_paper, bob):
    page = client_of(bob).get(reverse("paper_read", args=[open_paper.meeting_id, open_paper.pk]))
    assert '<script type="module" src="/static/js/paper_viewer.js">' in page.text
    assert 'data-library-url="/static/vendor/pdfjs/pdf.min.mjs"' in page.text
    assert "cdn" not in page.text.lower()


def test_the_vendored_pdfjs_is_the_locked_version():
    library = Path(settings.BASE_DIR, "portal/static/vendor/pdfjs/pdf.min.mjs").read_text()
    assert "6.5.438" in library

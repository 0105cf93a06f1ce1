"""The portal's own deployment checks (core/checks.py), as `check --deploy` runs them."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.checks import check_virus_scanning


def ids(messages):
    return [message.id for message in messages]


def test_production_without_clamd_is_warned_about(settings):
    settings.PRODUCTION, settings.CLAMD_SOCKET, settings.CLAMD_HOST = True, "", ""
    assert ids(check_virus_scanning()) == ["bluelight.W001"]


def test_production_accepting_unscanned_uploads_is_warned_about(settings):
    settings.PRODUCTION, settings.CLAMD_HOST, settings.CLAMD_UNREACHABLE = True, "clamav", "accept"
    assert ids(check_virus_scanning()) == ["bluelight.W002"]


def test_production_scanning_and_refusing_is_clean(settings):
    settings.PRODUCTION, settings.CLAMD_HOST, settings.CLAMD_UNREACHABLE = True, "clamav", "refuse"
    assert check_virus_scanning() == []


def test_the_embedded_default_scans_nothing_and_is_not_warned_about(settings):
    settings.PRODUCTION, settings.CLAMD_SOCKET, settings.CLAMD_HOST = False, "", ""
    assert check_virus_scanning() == []


def test_the_check_runs_with_the_deployment_checks(settings):
    settings.PRODUCTION, settings.CLAMD_SOCKET, settings.CLAMD_HOST = True, "", ""
    with pytest.raises(SystemCheckError, match=r"bluelight\.W001"):
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")

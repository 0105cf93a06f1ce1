"""System checks of the portal's own settings, run by ``manage.py check --deploy``."""

from typing import Any

from django.conf import settings
from django.core import checks

VIRUS_SCAN_OFF = checks.Warning(
    "Uploads are not scanned for viruses: neither CLAMD_SOCKET nor CLAMD_HOST is set.",
    hint="Run ClamAV's clamd (the clamav service in docker-compose.yml, or Debian's "
    "clamav-daemon) and set CLAMD_HOST (and CLAMD_PORT) or CLAMD_SOCKET.",
    id="bluelight.W001",
)
VIRUS_SCAN_FAILS_OPEN = checks.Warning(
    "CLAMD_UNREACHABLE=accept stores uploads unscanned whenever clamd cannot be reached.",
    hint="Unset CLAMD_UNREACHABLE (or set it to refuse) so that such uploads are refused.",
    id="bluelight.W002",
)


@checks.register(checks.Tags.security, deploy=True)
def check_virus_scanning(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production every upload is to be scanned, and refused when it cannot be."""
    if not settings.PRODUCTION:
        return []
    if not (settings.CLAMD_SOCKET or settings.CLAMD_HOST):
        return [VIRUS_SCAN_OFF]
    if settings.CLAMD_UNREACHABLE != "refuse":
        return [VIRUS_SCAN_FAILS_OPEN]
    return []

"""A logging filter that blanks out secret parts of links (tokens) in any logged path.

Django logs the path of every refused or missing page ("Not Found: /calendar/<token>.ics"); the
calendar-feed, invitation and password-reset links carry secrets, which must never reach a log.
"""

import logging
import re

PATH = re.compile(r"(?<![\w:/])/[^\s\"'?]*")


class SecretPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Imported here: logging is configured before the apps (and the URLs) are loaded.
        from .services import safe_path

        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging's own error handling
            return True
        cleaned = PATH.sub(lambda match: _safe(safe_path, match.group(0)), message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def _safe(safe_path, path: str) -> str:
    try:
        return safe_path(path)
    except Exception:  # before the URLs are loaded, or a path the resolver cannot read
        return path

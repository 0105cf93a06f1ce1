"""Secrets never reach a log: the tokens that some addresses carry (password reset, invitation,
calendar feed, digest unsubscribe, a single sign-on's authorisation code) are replaced before a
path is written, by Django's request logging and by gunicorn's access log alike."""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger  # type: ignore[import-untyped]

REDACTED = "[redacted]"
_TOKEN_PATHS = [
    # /password/reset/<uidb64>/<token>/ (but not Django's own set-password step)
    re.compile(r"(/password/reset/[^/\s?\"]+/)(?!set-password/)[^/\s?\"]+"),
    re.compile(r"(/invitation/)[^/\s?\"]+"),
    re.compile(r"(/calendar/)(?!reset/)[^/\s?\"]+(?=\.ics)"),
    re.compile(r"(/notifications/digest/unsubscribe/)[^/\s?\"]+"),
    # The authorisation code an identity provider sends back with the browser (single sign-on).
    re.compile(r"(/sign-in/organisation/callback/\?(?:[^\s\"]*&)?code=)[^&\s\"]+"),
]


def redact_path(text: str) -> str:
    """The text with every token in a portal address replaced by [redacted]."""
    for pattern in _TOKEN_PATHS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactTokensFilter(logging.Filter):
    """A logging filter that redacts the message and its string arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger, with every value of an access-log line redacted (the request line,
    the path, the referrer and any header or environment value a format may name)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_path(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }

"""Gunicorn's settings: `gunicorn -c python:bluelight.gunicorn bluelight.wsgi:application`.

The access log goes to standard output with every token (password reset, invitation, calendar
feed, unsubscribe) removed from the logged addresses.

The portal is loaded once, in the master process, before the workers are forked
(``preload_app``): the workers share its pages of code and settled objects instead of each
importing the portal for itself, and a worker replaced after ``--max-requests`` starts at once.
Loading opens no database connection and starts no thread (``tests/test_web_process.py``), so
nothing is shared that must not be. Those objects are frozen out of the garbage collector's
sight before the first fork (``gc.freeze``): a collection in a worker would otherwise write to
every one of them and so copy the shared pages into each worker.
"""

import gc

accesslog = "-"
logger_class = "core.log_redaction.RedactingGunicornLogger"
# The request line and headers gunicorn accepts: small, since the portal needs no more.
limit_request_line = 4094
limit_request_fields = 100
timeout = 60
preload_app = True


def when_ready(server) -> None:
    """The portal is loaded and the workers are about to be forked."""
    gc.freeze()

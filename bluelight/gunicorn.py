"""Gunicorn's settings: `gunicorn -c python:bluelight.gunicorn bluelight.wsgi:application`.

The access log goes to standard output with every token (password reset, invitation, calendar
feed, unsubscribe) removed from the logged addresses.
"""

accesslog = "-"
logger_class = "core.log_redaction.RedactingGunicornLogger"
# The request line and headers gunicorn accepts: small, since the portal needs no more.
limit_request_line = 4094
limit_request_fields = 100
timeout = 60

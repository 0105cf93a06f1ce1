"""Options shared by the portal's Celery tasks."""

# E-mail tasks: a mail server that refuses or times out (OSError covers SMTP and socket errors)
# is tried again later, backing off, up to five times.
MAIL_TASK = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
}

"""Options shared by the portal's Celery tasks."""

from typing import TypedDict


class TaskOptions(TypedDict):
    acks_late: bool
    autoretry_for: tuple[type[BaseException], ...]
    max_retries: int
    retry_backoff: int
    retry_backoff_max: int


# Email tasks: a mail server that refuses or times out (OSError covers SMTP and socket errors)
# is tried again later, backing off, up to five times.
MAIL_TASK: TaskOptions = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
}

"""Options shared by the portal's Celery tasks."""

from typing import TypedDict


class TaskOptions(TypedDict):
    acks_late: bool


# The former e-mail tasks, kept for messages an earlier release queued. No broker retries
# (countdown or ETA): e-mails are rows now, retried by the sweep at the time the row says.
MAIL_TASK: TaskOptions = {"acks_late": True}

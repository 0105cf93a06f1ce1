"""The Celery application: Redis as broker, JSON only, settings from Django's CELERY_* names."""

import logging
import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelight.settings")

logger = logging.getLogger("bluelight.tasks")


class EnqueueNeverFailsTask(Task):
    """Queuing a task never turns a saved change into an error page.

    Tasks are queued after the change they follow has committed; if the broker cannot be
    reached in time (the limits are in settings), the change stands and the failure is logged.
    Messages are rows first (notifications), so nothing is lost that a sweep cannot send later.
    """

    def apply_async(self, args=None, kwargs=None, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except (OperationalError, OSError) as error:
            if self.app.conf.task_always_eager:
                raise
            logger.error("Could not queue %s%r: %s", self.name, tuple(args or ()), error)
            return None


app = Celery("bluelight", task_cls=EnqueueNeverFailsTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

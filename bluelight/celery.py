"""The Celery application: Redis as broker, JSON only, settings from Django's CELERY_* names."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelight.settings")

app = Celery("bluelight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The portal's settings, plus the benchmark's baseline page (never in the portal itself).

Gunicorn and every process of the benchmark run with ``DJANGO_SETTINGS_MODULE=benchmarks.settings``:
everything is the portal's, except the URLconf, which adds ``/bench/bare/`` (see
``benchmarks/urls.py``).
"""

from bluelight.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

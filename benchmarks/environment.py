"""Where the benchmarks' databases live and how their processes are started.

Each data size has its own PostgreSQL database (``bluelight_bench`` at scale 1,
``bluelight_bench10`` at scale 10), so both can be kept and measured again. Every process the
benchmarks start (manage.py, gunicorn, the data builder, the worker-like document builds) gets
the environment from ``env_for``: the benchmark's settings module, no Redis (the cache is
per-process memory, as without REDIS_URL), debug off.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "results"
PYTHON = sys.executable
SETTINGS = "benchmarks.settings"
SERVER = "postgres://postgres:postgres@127.0.0.1:5432"


# The cache (and broker) the served portal uses: none by default, so each web worker caches in
# its own memory; list_pages.py --redis-url sets a Redis database, as in production.
CACHE = {"REDIS_URL": ""}
# Another database to measure at a scale (list_pages.py --database: a migrated copy, say).
MEASURE_INSTEAD: dict[int, str] = {}


def database_for(scale: int) -> str:
    if scale in MEASURE_INSTEAD:
        return MEASURE_INSTEAD[scale]
    return "bluelight_bench" if scale == 1 else f"bluelight_bench{scale}"


def database_url(database: str) -> str:
    return f"{SERVER}/{database}"


def env_for(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCHMARKS)]),
        "DATABASE_URL": database_url(database),
        "REDIS_URL": CACHE["REDIS_URL"],
        "DEBUG": "false",
        "BLUELIGHT_ENV": "development",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "LOG_LEVEL": "WARNING",
    }


def manage(database: str, *args: str, capture: bool = False) -> str:
    out = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(database),
        check=True,
        text=True,
        capture_output=capture,
    )
    return out.stdout or ""


def psql(database: str, statement: str) -> str:
    out = subprocess.run(
        ["psql", database_url(database), "-qAtc", statement],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def database_exists(database: str) -> bool:
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"


def run_script(database: str, script: str, *args: str, capture: bool = False) -> str:
    """Run one of the benchmark's scripts in a fresh process set up for ``database``."""
    out = subprocess.run(
        [PYTHON, str(BENCHMARKS / script), *args],
        cwd=ROOT,
        env=env_for(database),
        check=True,
        text=True,
        capture_output=capture,
    )
    return out.stdout or ""

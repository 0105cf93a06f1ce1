"""The worker and beat run under supervision in every deployment: started again whenever they
stop, so a lost broker or a crash never leaves messages waiting for someone to notice."""

import configparser
import os
import signal
import subprocess
import time
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_restarts_the_worker_and_beat_whatever_stopped_them():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["worker"]["restart"] == "always"
    assert services["beat"]["restart"] == "always"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "deploy" / name).read_text())
    return parser


def test_the_systemd_units_start_the_worker_and_beat_again_for_ever():
    for name, command in (
        ("bluelight-worker.service", "bluelight worker"),
        ("bluelight-beat.service", "bluelight beat"),
    ):
        service = unit(name)["Service"]
        assert command in service["ExecStart"]
        assert service["Restart"] == "always"
        assert service["StartLimitIntervalSec"] == "0"
        assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_make_worker_starts_the_worker_again_when_it_exits(tmp_path):
    """A stand-in celery that records each start and exits at once, as a crashed worker would:
    make starts it again, and again, until make itself is stopped."""
    starts = tmp_path / "starts"
    celery = tmp_path / "bin" / "celery"
    celery.parent.mkdir()
    celery.write_text(f'#!/bin/sh\necho "$*" >> {starts}\nexit 1\n')
    celery.chmod(0o755)
    make = subprocess.Popen(
        ["make", "--no-print-directory", "worker", "STAMP=", f"VENV={tmp_path}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_lines(starts)) < 2:
            time.sleep(0.1)
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(10)
    assert len(_lines(starts)) >= 2
    assert all("-A bluelight worker" in line for line in _lines(starts))


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []

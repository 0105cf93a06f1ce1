"""The portal as it is deployed: a wheel built from the checkout and installed in a virtualenv of
its own, outside the checkout, migrates, draws a PDF, serves the sign-in page and collects its
static files with nothing but what the wheel carries. The lock files pin every dependency that
pyproject.toml asks for, within its range.

The new virtualenv holds only the wheel. The runtime dependencies (requirements.lock, not the
development tools) are linked from the environment running the tests into a folder that a .pth
file puts on its path, so that nothing is downloaded and a runtime import of a development-only
package fails here as it would in the image.
"""

import importlib.metadata
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pypdf import PdfReader

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
# Every package at the top of the checkout is part of the portal, except the tests and benchmarks.
APPS = {init.parent.name for init in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
# Left out of the tree the wheel is built from, as .dockerignore leaves them out of an image.
NOT_SOURCE = {
    ".git",
    ".venv",
    "db.sqlite3",
    "media",
    "staticfiles",
    "node_modules",
    ".pytest_cache",
    ".ruff_cache",
    "test-artifacts",
    ".env",
    "build",
    "dist",
}


def ignore_non_source(directory: str, names: list[str]) -> set[str]:
    ignored = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
    if Path(directory) == ROOT:
        ignored |= NOT_SOURCE & set(names)
    return ignored


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the checkout: building in place would leave build/ behind, shared with others."""
    copy = tmp_path_factory.mktemp("source") / "bluelight-portal"
    shutil.copytree(ROOT, copy, ignore=ignore_non_source)
    return copy


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # The locked setuptools builds it, without build isolation: nothing is downloaded.
    run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--no-index", "--wheel-dir", str(dist), str(source)),
        ]
    )
    (built,) = dist.glob("bluelight_portal-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def locked_requirements(lock: Path) -> list[Requirement]:
    pins = re.findall(
        r"^([A-Za-z0-9._-]+==[^\s;\\]+(?:\s*;[^\\\n]+)?)", lock.read_text(), re.MULTILINE
    )
    return [Requirement(pin) for pin in pins]


def link_runtime_dependencies(folder: Path) -> Path:
    """requirements.lock's distributions for this Python, linked from the running environment."""
    folder.mkdir()
    for requirement in locked_requirements(ROOT / "requirements.lock"):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        distribution = importlib.metadata.distribution(requirement.name)
        assert requirement.specifier.contains(distribution.version), (
            f"{requirement.name} {distribution.version} is not the locked version: make install"
        )
        top_level = {Path(file).parts[0] for file in distribution.files or ()}
        for name in top_level - {"..", "__pycache__"}:
            (folder / name).symlink_to(distribution.locate_file(name))
    return folder


@pytest.fixture(scope="module")
def deployed(wheel, tmp_path_factory) -> dict:
    """The wheel installed in a fresh virtualenv; a working folder, outside the checkout, with the
    environment of the embedded default on SQLite; the database migrated."""
    home = tmp_path_factory.mktemp("deployed")
    env_dir = home / "venv"
    venv.EnvBuilder().create(env_dir)
    python = env_dir / "bin" / "python"
    # The running pip installs into the new environment (pip --python), quicker than its own.
    run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--no-index", str(wheel)),
        ]
    )
    site_packages = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    runtime = link_runtime_dependencies(home / "runtime-dependencies")
    (site_packages / "runtime_dependencies.pth").write_text(f"{runtime}\n")

    workdir = home / "work"
    workdir.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTHON"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_HOST"):
        keep.pop(name, None)
    env = {
        **keep,
        "DJANGO_SETTINGS_MODULE": "bluelight.settings",
        "BLUELIGHT_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
    }
    deployed = {"python": python, "site_packages": site_packages, "workdir": workdir, "env": env}
    # -I: neither the working folder nor PYTHON* variables reach sys.path.
    run([str(python), "-I", "-m", "django", "migrate", "--noinput"], cwd=workdir, env=env)
    return deployed


def run_deployed(deployed: dict, script: str, **env: str) -> dict:
    result = run(
        [str(deployed["python"]), "-I", "-c", script],
        cwd=deployed["workdir"],
        env={**deployed["env"], **env},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


DEVELOPMENT_SCRIPT = """
import json, sys
from datetime import datetime, timezone
from pathlib import Path
import django
django.setup()
import bluelight, core, portal
from django.contrib.staticfiles import finders
from django.test import Client
from core.markings import OFFICIAL
from core.pdf import render_pdf

meeting = {
    "title": "Board meeting, spring",
    "board": {"name": "Warwickshire Blue Light Collaboration Joint Advisory Board"},
    "starts_at": datetime(2026, 3, 12, 10, 0, tzinfo=timezone.utc),
    "venue": "Leek Wootton",
    "minutes_approved_by": {"full_name": "Carol Chair"},
    "minutes_approved_at": datetime(2026, 4, 9, 12, 0, tzinfo=timezone.utc),
}
items = [{"title": "Shared fleet workshop", "confidential": False,
          "minutes": "The board recommended a shared fleet workshop."}]
pdf = render_pdf(
    "pdf/minutes.html", {"meeting": meeting, "invitations": [], "items": items}, marking=OFFICIAL
)
Path("minutes.pdf").write_bytes(pdf)
response = Client().get("/sign-in/")
print(json.dumps({
    "modules": [m.__file__ for m in (bluelight, core, portal)],
    "sys_path": sys.path,
    "stylesheet": finders.find("css/pdf.css"),
    "bootstrap": finders.find("vendor/bootstrap/bootstrap.min.css"),
    "status": response.status_code,
    "page": response.content.decode(),
}))
"""

PRODUCTION_SCRIPT = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/sign-in/", secure=True, headers={"host": "bluelight.example"})
print(json.dumps({
    "static_root": str(settings.STATIC_ROOT),
    "status": response.status_code,
    "page": response.content.decode(),
}))
"""


def test_wheel_carries_every_app_with_its_templates_and_static_files(source, wheel_files):
    shipped = {
        path.relative_to(source).as_posix()
        for app in APPS
        for path in (source / app).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped - wheel_files == set()
    assert "portal/templates/pdf/minutes.html" in wheel_files
    assert "portal/templates/registration/login.html" in wheel_files
    assert "portal/static/vendor/bootstrap/bootstrap.min.css" in wheel_files
    assert "portal/static/vendor/chartjs/chart.umd.min.js" in wheel_files
    assert "demo/management/commands/seed_demo.py" in wheel_files
    assert any(name.startswith("boards/migrations/0001") for name in wheel_files)


def test_wheel_holds_no_tests_benchmarks_or_stray_packages(wheel_files):
    top_level = {name.split("/")[0] for name in wheel_files}
    assert {name for name in top_level if not name.endswith(".dist-info")} == APPS
    assert not any("/tests/" in f"/{name}" or "conftest" in name for name in wheel_files)


def test_installed_wheel_draws_a_pdf_and_serves_the_sign_in_page(deployed):
    outcome = run_deployed(deployed, DEVELOPMENT_SCRIPT)

    installed = deployed["site_packages"]
    for module in outcome["modules"]:
        assert Path(module).is_relative_to(installed), module
    assert str(ROOT) not in outcome["sys_path"]
    assert "" not in outcome["sys_path"]
    assert Path(outcome["stylesheet"]).is_relative_to(installed)
    assert Path(outcome["bootstrap"]).is_relative_to(installed)

    pdf = (deployed["workdir"] / "minutes.pdf").read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Minutes: Board meeting, spring" in text
    assert "shared fleet workshop" in text

    assert outcome["status"] == 200
    assert "/static/vendor/bootstrap/bootstrap.min.css" in outcome["page"]
    assert 'name="password"' in outcome["page"]


def test_installed_wheel_collects_its_static_files_for_production(deployed):
    production = {
        "BLUELIGHT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "bluelight.example",
    }
    run(
        [str(deployed["python"]), "-I", "-m", "django", "collectstatic", "--noinput", "-v0"],
        cwd=deployed["workdir"],
        env={**deployed["env"], **production},
    )
    outcome = run_deployed(deployed, PRODUCTION_SCRIPT, **production)

    static_root = Path(outcome["static_root"])
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/bootstrap/bootstrap.min.css"]
    assert (static_root / hashed).is_file()
    assert outcome["status"] == 200
    assert f"/static/{hashed}" in outcome["page"]


def locked_versions(lock: Path) -> dict[str, str]:
    return {
        canonicalize_name(requirement.name): str(next(iter(requirement.specifier)).version)
        for requirement in locked_requirements(lock)
    }


def test_lock_files_pin_every_dependency_within_its_range_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(line) for line in project["dependencies"]]
    dev = [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    runtime_lock = locked_versions(ROOT / "requirements.lock")
    dev_lock = locked_versions(ROOT / "requirements-dev.lock")

    for requirements, lock in ((runtime, runtime_lock), (runtime + dev, dev_lock)):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{name} is not locked: run make lock"
            assert requirement.specifier.contains(lock[name], prereleases=True), (
                f"{name}=={lock[name]} is outside {requirement.specifier}: run make lock"
            )
    # The image and the test environment run the same versions.
    assert {name: dev_lock.get(name) for name in runtime_lock} == runtime_lock
    for lock_file in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock_file).read_text()
        assert "--hash=sha256:" in text
        unhashed = re.findall(r"^\S+==\S+\s*(?:;[^\\\n]*)?$", text, flags=re.MULTILINE)
        assert unhashed == [], f"{lock_file} has pins without hashes: {unhashed}"

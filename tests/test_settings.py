"""Settings fail loudly in production: each case starts a fresh process, as a deployment would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = secrets.token_urlsafe(64)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "BLUELIGHT_ENV",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "CLAMD_SOCKET",
            "CLAMD_HOST",
            "CLAMD_UNREACHABLE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def production(**overrides: str) -> dict:
    env = {
        "BLUELIGHT_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "bluelight.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/bluelight"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        # The compose file's clamav service (not contacted by the checks).
        "CLAMD_HOST": "clamav",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_the_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = run_manage("check", **production(SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    ["short-key", "django-insecure-" + "x" * 60, "a" * 80],
    ids=["too short", "development key", "too simple"],
)
def test_production_with_a_weak_secret_key_stops(weak_key):
    result = run_manage("check", **production(SECRET_KEY=weak_key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_debug_on_stops():
    result = run_manage("check", **production(DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_without_a_required_service_address_stops(missing):
    env = production()
    env.pop(missing)
    clean_env = {k: v for k, v in os.environ.items() if k != missing}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean_env, **env},
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_letting_webhooks_reach_loopback_stops():
    result = run_manage("check", **production(OUTBOUND_ALLOW_LOOPBACK="true"))
    assert result.returncode != 0
    assert "OUTBOUND_ALLOW_LOOPBACK must be off in production" in result.stderr


def test_a_malformed_boolean_is_refused_by_name():
    result = run_manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_a_malformed_number_is_refused_by_name():
    result = run_manage("check", SESSION_IDLE_MINUTES="half an hour")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES must be a whole number" in result.stderr


def test_production_settings_pass_the_deployment_checks_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_without_a_virus_scanner_fails_the_deployment_checks():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **production(CLAMD_HOST=None)
    )
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "bluelight.W001" in output
    assert "Uploads are not scanned for viruses" in output


def test_production_storing_unscanned_uploads_fails_the_deployment_checks():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **production(CLAMD_UNREACHABLE="accept")
    )
    assert result.returncode != 0
    assert "bluelight.W002" in result.stderr + result.stdout


def test_production_with_clamd_on_a_socket_passes_the_deployment_checks():
    env = production(CLAMD_HOST=None, CLAMD_SOCKET="/run/clamav/clamd.ctl")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_an_unknown_choice_for_an_unreachable_scanner_is_refused_by_name():
    result = run_manage("check", CLAMD_UNREACHABLE="shrug")
    assert result.returncode != 0
    assert "CLAMD_UNREACHABLE must be refuse or accept" in result.stderr


def test_production_cookies_carry_the_host_prefix_and_sessions_have_limits():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_ABSOLUTE_LIFETIME, s.SESSION_IDLE_TIMEOUT)"
    )
    result = run_manage("shell", "-c", code, **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "43200",
        "1800",
    ]


def test_nothing_set_gives_the_embedded_default():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.EMAIL_BACKEND, s.DEBUG)"
    )
    bare = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_HOST",
            "EMAIL_BACKEND",
            "BLUELIGHT_ENV",
            "DEBUG",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**bare, "DJANGO_SETTINGS_MODULE": "bluelight.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "True",
    ]


def test_an_unknown_file_storage_is_refused_by_name():
    result = run_manage("check", FILE_STORAGE="ftp")
    assert result.returncode != 0
    assert "FILE_STORAGE must be local or s3, not 'ftp'" in result.stderr


def test_s3_file_storage_without_a_bucket_stops_with_a_clear_message():
    result = run_manage("check", FILE_STORAGE="s3")
    assert result.returncode != 0
    assert "FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_s3_file_storage_keeps_objects_private_behind_short_lived_links():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.STORAGES['default']; o = d['OPTIONS']; "
        "print(d['BACKEND'], o['bucket_name'], o['endpoint_url'], o['default_acl'], "
        "o['querystring_expire'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "FILE_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "bluelight-papers",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "bluelight-papers",
        "https://s3.example.org",
        "private",
        "60",
    ], result.stderr


@pytest.mark.parametrize("problem", ["missing file", "wrong passphrase"])
def test_a_signing_certificate_that_cannot_be_read_stops_the_portal(tmp_path, problem):
    from tests.signing import PASSPHRASE, make_authority, make_signing_pkcs12

    path = tmp_path / "board.p12"
    if problem != "missing file":
        path.write_bytes(make_signing_pkcs12(make_authority()))
    passphrase = "not-" + PASSPHRASE
    result = run_manage(
        "check", PDF_SIGNING_CERTIFICATE=str(path), PDF_SIGNING_PASSPHRASE=passphrase
    )
    assert result.returncode != 0
    assert "could not be read as a PKCS#12 file with PDF_SIGNING_PASSPHRASE" in result.stderr


def test_a_readable_signing_certificate_is_accepted(tmp_path):
    from tests.signing import PASSPHRASE, make_authority, make_signing_pkcs12

    path = tmp_path / "board.p12"
    path.write_bytes(make_signing_pkcs12(make_authority()))
    result = run_manage(
        "check", PDF_SIGNING_CERTIFICATE=str(path), PDF_SIGNING_PASSPHRASE=PASSPHRASE
    )
    assert result.returncode == 0, result.stderr


def test_the_portals_database_connections_compile_no_queries_just_in_time(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"

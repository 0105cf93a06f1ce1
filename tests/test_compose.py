"""docker-compose.yml: the services the portal runs as, and a valid Compose file.

The file is checked against the Compose specification's JSON schema, vendored in
tests/schemas/compose-spec.json (schema/compose-spec.json of the compose-spec/compose-spec
repository, Apache License 2.0, as of its commit a08f8d5 of 28 October 2025), so that no docker
is needed to validate it.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from jsonschema import Draft7Validator, FormatChecker

SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"


def load_compose() -> dict:
    return yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def compose_errors(document: dict) -> list[str]:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_compose_runs_web_worker_one_beat_database_and_redis():
    compose = load_compose()
    services = compose["services"]
    assert set(services) == {
        "migrate",
        "web",
        "proxy",
        "worker",
        "beat",
        "backup",
        "db",
        "redis",
        "clamav",
    }
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["environment"]["BLUELIGHT_ENV"] == "production"
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def test_the_portal_connects_as_its_own_role_and_migrations_run_as_the_owner():
    services = load_compose()["services"]
    for name in ("web", "worker", "beat"):
        assert "//bluelight_portal:" in services[name]["environment"]["DATABASE_URL"]
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "migrate" not in services[name]["command"]
    migrate = services["migrate"]
    assert "//bluelight_owner:" in migrate["environment"]["DATABASE_URL"]
    assert "database_roles" in migrate["command"] and "migrate --noinput" in migrate["command"]


def nginx_setting(name: str) -> str:
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    values = re.findall(rf"^\s*{name}\s+([^;{{}}]+);", conf, flags=re.MULTILINE)
    assert len(values) == 1, f"{name} is set {len(values)} times in deploy/nginx.conf"
    return values[0].strip()


def test_nginx_is_the_only_way_in_and_passes_the_client_address():
    services = load_compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx")
    assert proxy["ports"] == ["8000:80"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in services["web"] and services["web"]["expose"] == ["8000"]
    assert nginx_setting("server") == "web:8000"
    # One proxy in front: the portal takes the client's address from its X-Forwarded-For entry.
    assert services["web"]["environment"]["PROXY_COUNT"] == "${PROXY_COUNT:-1}"
    assert nginx_setting("proxy_set_header X-Forwarded-For") == "$proxy_add_x_forwarded_for"


def test_uploads_are_scanned_by_the_clamav_service_whose_signatures_are_kept():
    compose = load_compose()
    services = compose["services"]
    clamav = services["clamav"]
    assert clamav["image"].startswith("clamav/clamav:")
    assert clamav["environment"]["CLAMAV_NO_FRESHCLAMD"] == "false"  # signatures kept current
    assert "clamav-db:/var/lib/clamav" in clamav["volumes"] and "clamav-db" in compose["volumes"]
    assert "ports" not in clamav and clamav["expose"] == ["3310"]
    assert services["web"]["environment"]["CLAMD_HOST"] == "${CLAMD_HOST:-clamav}"
    assert services["web"]["environment"]["CLAMD_PORT"] == "${CLAMD_PORT:-3310}"
    assert "CLAMD_UNREACHABLE" not in services["web"]["environment"]  # refuse: the default


def test_nginx_accepts_the_bodies_the_portal_accepts_and_no_larger():
    limit = nginx_setting("client_max_body_size")
    assert limit.endswith("m")
    assert int(limit[:-1]) * 1024 * 1024 == settings.MAX_REQUEST_BODY_SIZE


def test_nginx_waits_a_little_longer_than_gunicorn():
    from bluelight import gunicorn

    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        seconds = int(nginx_setting(name).removesuffix("s"))
        assert gunicorn.timeout < seconds <= gunicorn.timeout + 10


def test_the_vendored_schema_is_the_compose_specification():
    schema = json.loads(SCHEMA.read_text())
    Draft7Validator.check_schema(schema)
    assert schema["title"] == "Compose Specification"
    assert {"services", "volumes", "networks"} <= set(schema["properties"])


def test_compose_file_follows_the_compose_specification():
    assert compose_errors(load_compose()) == []


def misspell_image(compose: dict) -> None:
    compose["services"]["web"]["imagee"] = compose["services"]["web"].pop("image")


def give_ports_as_a_string(compose: dict) -> None:
    compose["services"]["web"]["ports"] = "8000:8000"


def add_unknown_top_level_key(compose: dict) -> None:
    compose["servicez"] = {}


def invent_depends_on_condition(compose: dict) -> None:
    compose["services"]["worker"]["depends_on"]["db"]["condition"] = "whenever"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (misspell_image, "services/web"),
        (give_ports_as_a_string, "services/web/ports"),
        (add_unknown_top_level_key, "(top)"),
        (invent_depends_on_condition, "services/worker/depends_on"),
    ],
)
def test_a_broken_compose_document_is_refused(change, where):
    compose = load_compose()
    change(compose)
    errors = compose_errors(compose)
    assert errors, f"the schema accepted the document after {change.__name__}"
    assert any(error.startswith(f"{where}: ") for error in errors), errors


def test_compose_backs_the_portal_up_every_day_into_its_own_volume():
    compose = load_compose()
    backup = compose["services"]["backup"]
    assert "manage.py backup /backups" in backup["command"]
    assert "while true" in backup["command"] and "sleep" in backup["command"]
    assert {"media:/app/media", "backups:/backups"} <= set(backup["volumes"])
    assert "backups" in compose["volumes"]

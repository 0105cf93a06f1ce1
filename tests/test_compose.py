from pathlib import Path

import yaml
from django.conf import settings


def test_compose_runs_web_worker_one_beat_database_and_redis():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["environment"]["BLUELIGHT_ENV"] == "production"
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")

"""The Dockerfile, docker-compose.yml and the container health checks (no Docker engine needed)."""

import os
import re
import time
from pathlib import Path

import pytest
import yaml

from ahpportal import healthcheck

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_long_running_service_restarts_and_has_a_healthcheck(compose):
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
        assert service["stop_grace_period"], name


def test_the_app_waits_for_migrations_and_shares_the_uploads_volume(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert "media:/data/media" in services[name]["volumes"], name
        assert services[name]["environment"]["DJANGO_MEDIA_ROOT"] == "/data/media"
        assert services[name]["environment"]["DJANGO_DEBUG"] == "${DJANGO_DEBUG:-0}"
    assert "media" in compose["volumes"]
    # A full recompute (up to 3 minutes at England scale) finishes before the worker is stopped.
    assert services["worker"]["stop_grace_period"] == "5m"


def test_no_password_is_written_in_the_compose_file(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text
    assert not re.search(r"postgres://\w+:(?!\$\{)[^@]+@", text)
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")
    example = (ROOT / ".env.example").read_text()
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{name}=", example, re.M), name


def test_the_image_is_non_root_caches_dependencies_and_checks_its_health():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    steps = [line for line in lines if line and not line.startswith("#")]
    copy_deps = steps.index("COPY pyproject.toml ./")
    install = next(i for i, s in enumerate(steps) if s.startswith("RUN pip install"))
    copy_code = steps.index("COPY . .")
    assert copy_deps < install < copy_code
    assert "USER ahp" in steps and steps.index("USER ahp") > copy_code
    assert any(s.startswith("HEALTHCHECK") for s in steps)
    assert steps[-1].startswith('CMD ["gunicorn"')
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_the_web_healthcheck_passes_when_the_database_answers(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost,testserver")
    assert healthcheck.check_web(f"{live_server.url}/healthz") is None
    assert "answered 404" in healthcheck.check_web(f"{live_server.url}/no-such-page")


def test_the_beat_healthcheck_wants_a_recently_written_schedule(tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    assert "no file" in healthcheck.check_fresh(str(schedule), 600)
    schedule.with_suffix(".db").write_text("x")
    assert healthcheck.check_fresh(str(schedule), 600) is None
    old = time.time() - 3600
    os.utime(schedule.with_suffix(".db"), (old, old))
    assert "last changed" in healthcheck.check_fresh(str(schedule), 600)

"""compose.yml and the Dockerfiles, checked without Docker: the services, their health
checks, and that every variable handed to a worker is a real setting (bot/settings.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings
from nlu.rasa.env import RASA_REQUIREMENTS
from nlu.rasa.model import MODEL_INPUTS

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {name.upper() for name in Settings.model_fields}
# Variables only the container itself reads: PTB's opt-in and Python/uv's own.
NOT_SETTINGS = {"PTB_TIMEDELTA", "PYTHONUNBUFFERED", "PATH"}


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _workers() -> dict[str, dict[str, Any]]:
    services = _compose()["services"]
    return {name: s for name, s in services.items() if name.startswith("worker")}


def test_compose_runs_redis_rasa_and_two_workers_with_health_checks() -> None:
    services = _compose()["services"]
    assert set(services) == {"redis", "rasa", "worker-1", "worker-2"}
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert "--appendonly" in services["redis"]["command"]
    assert any(v.endswith(":/data") for v in services["redis"]["volumes"])
    assert "/status" in str(services["rasa"]["healthcheck"]["test"])
    assert services["rasa"]["cpu_shares"] < 1024  # the workers come first on a shared host
    for worker in _workers().values():
        assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
        assert worker["depends_on"]["rasa"]["condition"] == "service_healthy"


def test_workers_use_webhook_and_http_mode_and_only_real_settings() -> None:
    for worker in _workers().values():
        env = worker["environment"]
        assert env["HTTP_HOST"] == "0.0.0.0"
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["RASA_URL"] == "http://rasa:5005"
        assert env["SLACK_APP_TOKEN"] == ""  # empty means unset: Slack HTTP mode
        assert "TELEGRAM_WEBHOOK_URL" in env
        assert "SLACK_SIGNING_SECRET" in env
        assert set(env) <= SETTINGS, set(env) - SETTINGS
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "compose.yml").read_text()))
    assert interpolated <= SETTINGS, interpolated - SETTINGS


def test_worker_image_runs_tandem_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    assert 'CMD ["tandem", "run"]' in dockerfile
    env_names = set(re.findall(r"^\s+([A-Z_]+)=", dockerfile, re.M))
    env_names |= set(re.findall(r"^ENV ([A-Z_]+)=", dockerfile, re.M))
    other = {n for n in env_names if not n.startswith("UV_")} - NOT_SETTINGS
    assert other <= SETTINGS, other - SETTINGS


def test_rasa_image_trains_from_the_model_inputs_with_the_pinned_rasa() -> None:
    dockerfile = (ROOT / "Dockerfile.rasa").read_text()
    assert "FROM python:3.10-slim" in dockerfile
    for requirement in RASA_REQUIREMENTS:
        assert requirement in dockerfile
    for model_input in MODEL_INPUTS:
        assert model_input in dockerfile
    assert "rasa train nlu" in dockerfile
    assert '"--enable-api"' in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)

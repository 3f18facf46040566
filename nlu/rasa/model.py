"""Trains the Rasa NLU model, only when its inputs changed."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import subprocess
import time
from pathlib import Path

from nlu.errors import SetupError
from nlu.project import PROJECT_ROOT

log = logging.getLogger(__name__)

MODELS_DIR = PROJECT_ROOT / "models"
# Everything the trained model depends on.
MODEL_INPUTS = ("config.yml", "data/nlu.yml", "nlu/components/sentiment.py")


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16]


def rasa_env_vars(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Rasa imports our sentiment component (``nlu.components.sentiment``) from the project
    root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["RASA_TELEMETRY_ENABLED"] = "false"  # no calls home: nothing leaves this machine
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def ensure_model(rasa: Path, *, root: Path = PROJECT_ROOT, models: Path = MODELS_DIR) -> Path:
    """The model for the current data and config: reused when present, else trained.

    Training takes minutes and all the CPU it gets, so processes that need a model at the
    same time (a `make run` and a `make test`, test sessions side by side) take turns on a
    lock: the first trains, the others then find its model.
    """
    name = f"nlu-{fingerprint(root)}"
    model = models / f"{name}.tar.gz"
    if model.exists():
        log.info("reusing the trained model", extra={"model": model.name})
        return model
    models.mkdir(parents=True, exist_ok=True)
    with (models / ".training.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if model.exists():
            log.info("reusing the model trained meanwhile", extra={"model": model.name})
            return model
        return _train(rasa, root, models, name, model)


def _train(rasa: Path, root: Path, models: Path, name: str, model: Path) -> Path:
    log.info("training the Rasa model (data or config changed)", extra={"model": model.name})
    started = time.monotonic()
    command = [
        str(rasa),
        "train",
        "nlu",
        "--config",
        "config.yml",
        "--nlu",
        "data/nlu.yml",
        "--out",
        str(models),
        "--fixed-model-name",
        name,
    ]
    result = subprocess.run(
        command, cwd=root, env=rasa_env_vars(root), capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not model.exists():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"training the Rasa model failed:\n{tail}")
    log.info("trained", extra={"model": model.name, "seconds": round(time.monotonic() - started)})
    return model

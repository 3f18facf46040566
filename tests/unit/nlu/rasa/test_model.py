"""ensure_model trains once for the current inputs, even when asked from two places at once."""

from __future__ import annotations

import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nlu.project import PROJECT_ROOT
from nlu.rasa.model import MODEL_INPUTS, ensure_model, fingerprint

# Stands in for `rasa train nlu ... --out DIR --fixed-model-name NAME`: counts its runs,
# takes a moment (so a second caller arrives while it trains), then writes the model.
FAKE_RASA = """#!/bin/sh
echo run >> "$COUNT_FILE"
sleep 0.5
out=""; name=""
while [ $# -gt 0 ]; do
  case "$1" in --out) out="$2"; shift;; --fixed-model-name) name="$2"; shift;; esac
  shift
done
echo model > "$out/$name.tar.gz"
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in MODEL_INPUTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / name, root / name)
    return root


def test_two_callers_at_once_train_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, models, count = _project(tmp_path), tmp_path / "models", tmp_path / "runs"
    rasa = tmp_path / "rasa"
    rasa.write_text(FAKE_RASA)
    rasa.chmod(rasa.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("COUNT_FILE", str(count))

    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(lambda _: ensure_model(rasa, root=root, models=models), range(2)))

    assert found[0] == found[1] == models / f"nlu-{fingerprint(root)}.tar.gz"
    assert count.read_text().splitlines() == ["run"]


def test_changed_data_trains_a_new_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, models, count = _project(tmp_path), tmp_path / "models", tmp_path / "runs"
    rasa = tmp_path / "rasa"
    rasa.write_text(FAKE_RASA)
    rasa.chmod(rasa.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("COUNT_FILE", str(count))

    first = ensure_model(rasa, root=root, models=models)
    assert ensure_model(rasa, root=root, models=models) == first  # reused
    with (root / "data" / "nlu.yml").open("a") as data:
        data.write("\n# a comment changes the inputs\n")
    second = ensure_model(rasa, root=root, models=models)

    assert second != first
    assert second.exists()
    assert len(count.read_text().splitlines()) == 2

"""Creates Rasa's own virtual environment on Python 3.10 (Rasa 3.6 needs Python < 3.11).

A working 3.10 is looked for in this order: ``TANDEM_PYTHON310``, ``python3.10`` on
PATH, pyenv's installed 3.10 versions, uv's managed Pythons; when none works,
``uv python install 3.10`` fetches one (needs internet).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from nlu.errors import SetupError
from nlu.project import PROJECT_ROOT

log = logging.getLogger(__name__)

RASA_REQUIREMENTS = ("rasa==3.6.21", "vadersentiment==3.3.2")
RASA_ENV = PROJECT_ROOT / ".venv-rasa"


def rasa_bin(env: Path = RASA_ENV) -> Path:
    return env / "bin" / "rasa"


def find_uv() -> str:
    for candidate in (shutil.which("uv"), str(PROJECT_ROOT / ".tools" / "bin" / "uv")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SetupError("uv not found: run `make setup` (it installs uv into .tools/)")


def _works_as_310(python: str) -> bool:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and result.stdout.strip() == "True"


def _candidates(uv: str) -> Iterator[str]:
    if os.environ.get("TANDEM_PYTHON310"):
        yield os.environ["TANDEM_PYTHON310"]
    if shutil.which("python3.10"):
        yield "python3.10"
    if shutil.which("pyenv"):
        versions = _output(["pyenv", "versions", "--bare"]).split()
        for version in sorted((v for v in versions if v.startswith("3.10")), reverse=True):
            prefix = _output(["pyenv", "prefix", version]).strip()
            if prefix:
                yield str(Path(prefix) / "bin" / "python")
    found = _output([uv, "python", "find", "3.10"]).strip()
    if found:
        yield found


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def find_python310(uv: str) -> str:
    for candidate in _candidates(uv):
        if _works_as_310(candidate):
            return candidate
    log.info("no Python 3.10 found; asking uv to install one")
    subprocess.run([uv, "python", "install", "3.10"], check=False)
    found = _output([uv, "python", "find", "3.10"]).strip()
    if found and _works_as_310(found):
        return found
    raise SetupError(
        "Rasa 3.6 needs Python 3.10 and none was found (tried TANDEM_PYTHON310, python3.10, "
        "pyenv, uv). Install one (e.g. `uv python install 3.10`) or set TANDEM_PYTHON310."
    )


def ensure_rasa_env(env: Path = RASA_ENV) -> Path:
    """Create or reuse the Rasa environment; returns the path of its ``rasa`` command."""
    stamp = env / ".tandem-requirements"
    wanted = hashlib.sha256("\n".join(RASA_REQUIREMENTS).encode()).hexdigest()
    if rasa_bin(env).exists() and stamp.exists() and stamp.read_text() == wanted:
        return rasa_bin(env)
    uv = find_uv()
    python = find_python310(uv)
    log.info("creating the Rasa environment", extra={"python": python, "env": str(env)})
    steps = [
        [uv, "venv", "--quiet", "--allow-existing", "--python", python, str(env)],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(env / "bin" / "python"),
            *RASA_REQUIREMENTS,
        ],
    ]
    for step in steps:
        if subprocess.run(step, check=False).returncode != 0:
            raise SetupError(f"setting up the Rasa environment failed: {' '.join(step)}")
    stamp.write_text(wanted)
    return rasa_bin(env)

"""One HTTP client stack in the worker: aiohttp (issue 20).

Sends to Telegram and Slack, PTB's getUpdates, Slack file downloads and Rasa's parse and
readiness checks all run on aiohttp; httpx stays installed only because PTB requires it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("bot", "handoff", "nlu")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_production_module_uses_httpx() -> None:
    users = [
        str(path.relative_to(ROOT))
        for folder in PRODUCTION
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "httpx" in imported_modules(path)
    ]
    assert users == [], f"use aiohttp (the worker's one HTTP stack) in {users}"


def test_the_finder_sees_both_import_forms(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import httpx.x\nfrom httpx import AsyncClient\nfrom . import httpx\n")
    assert imported_modules(module) == {"httpx"}

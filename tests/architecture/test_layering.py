"""Imports only go down: nlu < handoff < bot, folders by rank, SDKs with their adapters.

The rules are data in rules.py; the tests below read every import statement of the
production packages (without running them) and fail with one line per broken rule.
"""

from __future__ import annotations

import pytest

from tests.architecture.imports import Import, all_imports, imports_of, matrix, modules
from tests.architecture.layering import cycles, violation, violations


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_every_import_follows_the_layering(imports: list[Import]) -> None:
    assert violations(imports) == []


def test_no_import_cycles(imports: list[Import]) -> None:
    assert cycles(imports) == []


def test_the_packages_import_only_downwards(imports: list[Import]) -> None:
    counts = matrix(imports)
    assert counts[("nlu", "handoff")] == counts[("nlu", "bot")] == 0
    assert counts[("handoff", "bot")] == 0
    assert counts[("handoff", "nlu")] > 0
    assert counts[("bot", "handoff")] > 0


def test_the_reader_sees_every_module() -> None:
    names = {name for name, _ in modules()}
    assert {"handoff.core.state", "bot.cli", "nlu.triage.policy"} <= names
    assert all(name.split(".")[0] in ("nlu", "handoff", "bot", "playground") for name in names)


@pytest.mark.parametrize(
    ("module", "target", "top_level", "broken"),
    [
        ("handoff.core.state", "bot.settings", True, "upward"),
        ("nlu.facts.stores", "handoff.core.state", True, "upward"),
        ("handoff.core.state", "handoff.storage.store", True, "rank"),
        ("handoff.slack.app", "handoff.review.web", True, "rank"),
        ("handoff.flows.desk", "redis.asyncio", True, "redis belongs"),
        ("handoff.flows.desk", "slack_sdk.web", True, "slack_sdk belongs"),
        ("bot.worker", "telegram.ext", True, "telegram belongs"),
        ("bot.telegram.app", "handoff.slack.blocks", True, "separate adapters"),
        ("bot.telegram.app", "bot.worker", True, "rank"),
        ("bot.worker", "playground.app", True, "may start the playground"),
        ("playground.fake_slack.state", "handoff.core.state", True, "fakes import nothing"),
        ("handoff.flows.media", "handoff.flows.desk", False, "inside a function"),
    ],
)
def test_each_rule_catches_its_break(
    module: str, target: str, top_level: bool, broken: str
) -> None:
    found = violation(Import(module, target, 1, top_level))
    assert found is not None
    assert broken in found


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("bot.worker", "handoff.flows.customer"),
        ("handoff.flows.desk", "handoff.storage.store"),
        ("handoff.slack.app", "handoff.flows.desk"),
        ("handoff.review.web", "handoff.storage.keys"),
        ("handoff.storage.store", "redis.asyncio"),
        ("bot.telegram.app", "telegram.ext"),
        ("bot.runtime", "playground.app"),
        ("handoff.flows.desk", "handoff.flows.context"),
    ],
)
def test_allowed_imports_pass(module: str, target: str) -> None:
    assert violation(Import(module, target, 1, True)) is None


def test_cycles_are_found() -> None:
    made_up = [Import("handoff.flows.a", "handoff.flows.b", 1, True)]
    made_up.append(Import("handoff.flows.b", "handoff.flows.a", 1, True))
    assert cycles(made_up) == [["handoff.flows.a", "handoff.flows.b"]]


def test_imports_in_functions_and_type_checking_blocks_are_seen(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    source = tmp_path_factory.mktemp("mod") / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import handoff.core.state\n"
        "if TYPE_CHECKING:\n    from handoff.storage import store\n"
        "def f() -> None:\n    from handoff.flows import desk\n",
        encoding="utf-8",
    )
    found = {(i.target, i.top_level) for i in imports_of("handoff.core.sample", source)}
    assert ("handoff.core.state", True) in found
    assert ("handoff.flows.desk", False) in found
    assert any(t.startswith("handoff.storage") and not top for t, top in found)

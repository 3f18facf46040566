"""Hypothesis against a live worker, and the hostile shapes the tests feed it.

Hypothesis drives plain functions; the worker lives on the session's event loop. So
``explore`` runs the hypothesis engine in a thread and each example is a coroutine
submitted back to the loop: one worker serves every example of a test.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.fake_slack.delivery import slack_signature

T = TypeVar("T")
JSON = dict[str, Any]
DELETE = object()  # a mutation that removes the key

# Any JSON value, small: what a hostile sender can put where a field should be.
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

# Odd but valid Unicode: combining marks, astral emoji, RTL override, zero-width joiners and
# spaces, control characters other than NUL; never lone surrogates (not encodable UTF-8).
ODD = (
    "\u0301\u0336\u20dd"  # combining marks
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\U0001f4a9"  # astral emoji, ZWJ sequence
    "\u202e\u202d\u200b\u200c\ufeff\u2028"  # RTL/LTR override, zero-width, line separator
    "\x07\x1b\x7f\u0627\u05d0"  # control characters (never NUL), Arabic, Hebrew
)
odd_chars = st.sampled_from(ODD) | st.characters(exclude_categories=["Cs"], min_codepoint=1)
odd_text = st.text(
    alphabet=odd_chars,
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip() != "")


async def explore(
    check: Callable[[T], Coroutine[Any, Any, None]],
    strategy: st.SearchStrategy[T],
    *,
    examples: int,
) -> None:
    """Every example of ``strategy`` through ``check`` on this loop; fails like hypothesis."""
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: T) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=60)

    await asyncio.to_thread(run)


def paths(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))


def mutate(base: JSON, changes: list[tuple[tuple[str, ...], Any]]) -> JSON:
    """A copy of ``base`` with each path deleted or replaced (paths gone by then are skipped)."""
    result = copy.deepcopy(base)
    for path, value in changes:
        node: Any = result
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or path[-1] not in node:
            continue
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return result


def mutations(base: JSON) -> st.SearchStrategy[JSON]:
    """``base`` with one to three fields deleted or given any JSON value."""
    change = st.tuples(st.sampled_from(list(paths(base))), st.just(DELETE) | json_values)
    return st.lists(change, min_size=1, max_size=3).map(lambda c: mutate(base, c))


def signed_headers(
    secret: str, body: bytes, content_type: str, *, at: float | None = None
) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(secret, stamp, body),
    }


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        return await http.post(url, content=body, headers=headers)


class ErrorLogs(logging.Handler):
    """Collects ERROR records (a listener that blew up), without their message text."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()[:200]}")

    def __enter__(self) -> ErrorLogs:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)

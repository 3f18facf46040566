"""The load benchmark's tracker: it watches the fake Telegram and Slack for what became of
each customer message, and wakes the customer waiting for it.

Two watcher tasks read the fakes incrementally, each woken by its fake's own change signal:
Telegram only looks at the chats of customers waiting right now, Slack at the messages
posted since it last looked. Each customer waits on its own chat's event, so nothing scans
everything on every change (the earlier attempt had every waiter do that, and stalled).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from playground.app import Playground

T = TypeVar("T")
CARD_CUSTOMER = re.compile(r"\bCust(\d+)\b")  # customers are called Cust<chat id>
THREAD_TOKEN = re.compile(r"\bq\d+x\d+\b")  # customer messages for a thread carry q<chat>x<n>


class Kind(StrEnum):
    FACTUAL = "factual"  # the bot should answer
    UPSET = "upset"  # should be handed off: a card in Slack, a holding message
    THREAD = "thread"  # after a handoff: should be posted into the Slack thread


@dataclass
class Sent:
    chat: int
    n: int
    kind: Kind
    text: str
    at: float  # perf_counter just before the customer sent it
    outcome_at: float | None = None  # the first sign of its outcome


@dataclass
class Reply:
    chat: int
    token: str
    at: float
    delivered_at: float | None = None


@dataclass
class ChatLog:
    bot: list[tuple[float, str]] = field(default_factory=list)  # Telegram bot messages
    cards: list[tuple[float, str, str]] = field(default_factory=list)  # (at, channel, ts)
    thread: list[tuple[float, str]] = field(default_factory=list)  # posts in its threads
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    read: int = 0  # how many of the chat's Telegram messages were looked at


class Aborted(Exception):
    """The whole run stops (the worker died, nothing moves, the deadline passed)."""


class Tracker:
    def __init__(self, pg: Playground) -> None:
        self.pg = pg
        self.chats: dict[int, ChatLog] = {}
        self.active: set[int] = set()  # customers waiting for something now
        self.tokens: dict[str, list[float]] = {}  # thread token -> when seen in Slack
        self.thread_chat: dict[str, int] = {}  # card ts -> customer chat
        self._slack_read: dict[str, int] = {}
        self._slack_total = 0
        self.failure: str | None = None
        self.last_change = time.monotonic()

    def log(self, chat: int) -> ChatLog:
        return self.chats.setdefault(chat, ChatLog())

    def fail(self, why: str) -> None:
        if self.failure is None:
            self.failure = why
        for log in self.chats.values():
            log.changed.set()

    async def wait(self, chat: int, probe: Callable[[], T | None], seconds: float) -> T | None:
        """probe()'s first non-None result, re-checked when the chat changes; None after
        `seconds`. Raises Aborted when the run is stopped."""
        log = self.log(chat)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while (found := probe()) is None:
                    if self.failure:
                        raise Aborted(self.failure)
                    log.changed.clear()
                    await log.changed.wait()
                return found
        return probe()

    async def watch(self) -> None:
        """Both watchers; an error in either stops the run (it would otherwise look hung)."""
        try:
            await asyncio.gather(self._watch_telegram(), self._watch_slack())
        except Exception as exc:
            self.fail(f"the benchmark's own watcher failed: {exc!r}")
            raise

    async def _watch_telegram(self) -> None:
        state = self.pg.telegram.state
        while True:
            for chat in await state.notifier.wait_for(self._telegram_changes, 1.0) or ():
                log, messages = self.chats[chat], state.chats[chat].messages
                now = time.perf_counter()
                for message in messages[log.read :]:
                    if message.from_bot:
                        log.bot.append((now, str(message.api.get("text") or "")))
                log.read = len(messages)
                log.changed.set()
                self.last_change = time.monotonic()

    def _telegram_changes(self) -> list[int] | None:
        chats = self.pg.telegram.state.chats
        changed = [
            c for c in self.active if c in chats and len(chats[c].messages) > self.chats[c].read
        ]
        return changed or None

    async def _watch_slack(self) -> None:
        workspace = self.pg.slack.workspace

        def changed() -> bool | None:
            total = sum(len(c.messages) for c in workspace.channels.values())
            return True if total != self._slack_total else None

        while True:
            with contextlib.suppress(TimeoutError):
                await workspace.wait_for(changed, 1.0, str)
            now = time.perf_counter()
            for channel in workspace.channels.values():
                start = min(self._slack_read.get(channel.id, 0), len(channel.messages))
                for message in channel.messages[start:]:
                    self._slack_message(channel.id, message, now)
                self._slack_read[channel.id] = len(channel.messages)
            self._slack_total = sum(len(c.messages) for c in workspace.channels.values())

    def _slack_message(self, channel: str, message: dict[str, Any], now: float) -> None:
        text, ts = str(message.get("text") or ""), str(message["ts"])
        root = message.get("thread_ts")
        if root in (None, ts):
            if " needs a person" in text and (found := CARD_CUSTOMER.search(text)):
                chat = int(found.group(1))
                self.thread_chat[ts] = chat
                self.log(chat).cards.append((now, channel, ts))
                self.log(chat).changed.set()
                self.last_change = time.monotonic()
            return
        chat_id = self.thread_chat.get(str(root))
        if chat_id is None:
            return
        log = self.log(chat_id)
        log.thread.append((now, text))
        for token in set(THREAD_TOKEN.findall(text)):
            self.tokens.setdefault(token, []).append(now)
        log.changed.set()
        self.last_change = time.monotonic()


@dataclass
class Tally:
    """What became of each customer message and employee reply, read from the fakes."""

    answered: list[float] = field(default_factory=list)  # factual -> bot answer, seconds
    cards: list[float] = field(default_factory=list)  # upset -> handoff card in Slack
    thread: list[float] = field(default_factory=list)  # thread message -> its post
    replies: list[float] = field(default_factory=list)  # employee reply -> customer
    late: int = 0  # arrived after the customer had given up waiting
    handed_off_instead: int = 0  # factual, but handed off (e.g. Rasa slow to answer)
    answered_instead: int = 0  # upset, but the bot answered
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


def reconcile(
    sent: Sequence[Sent],
    replies: Sequence[Reply],
    chats: dict[int, list[tuple[bool, str]]],
    cards: dict[int, list[float]],
    posts: dict[str, list[float]],
) -> Tally:
    """Per message: its Telegram window (the bot messages between it and the customer's
        next), the handoff cards seen between it and the next, its thread posts (by token, when
    each was seen).
        `chats`: each chat's messages in order as (from the bot, text)."""
    tally, by_chat = Tally(), defaultdict[int, list[Sent]](list)
    for message in sent:
        by_chat[message.chat].append(message)
    for chat, messages in by_chat.items():
        windows: list[int] = []  # bot messages after each customer message
        for from_bot, _ in chats.get(chat, []):
            if not from_bot:
                windows.append(0)
            elif windows:
                windows[-1] += 1
        messages.sort(key=lambda m: m.n)
        for i, m in enumerate(messages):
            end = messages[i + 1].at if i + 1 < len(messages) else math.inf
            new_cards = sum(1 for at in cards.get(chat, []) if m.at <= at < end)
            bots = windows[i] if i < len(windows) else 0
            where = f"customer {chat}, message {m.n} ({m.kind})"
            late = m.outcome_at is None
            if m.kind is Kind.THREAD:
                seen = posts.get(f"q{chat}x{m.n}", [])
                found, kept = len(seen), tally.thread
                if found > 1:
                    after = ", ".join(f"+{at - m.at:.2f} s" for at in seen)
                    tally.duplicated.append(
                        f"{where}: posted {found} times in the thread ({after})"
                    )
            elif new_cards:
                found, kept = new_cards, tally.cards
                if new_cards > 1:
                    tally.duplicated.append(f"{where}: {new_cards} handoff cards")
                if m.kind is Kind.FACTUAL:
                    tally.handed_off_instead, kept = tally.handed_off_instead + 1, []
            else:
                found, kept = bots, tally.answered
                if bots and m.kind is Kind.UPSET:
                    tally.answered_instead, kept = tally.answered_instead + 1, []
                elif bots > 1:
                    tally.duplicated.append(f"{where}: {bots} bot answers")
            if not found:
                tally.lost.append(where)
            elif late:
                tally.late += 1
            elif m.outcome_at is not None:
                kept.append(m.outcome_at - m.at)
    for reply in replies:
        pattern = re.compile(rf"\b{reply.token}\b")
        copies = sum(1 for b, text in chats.get(reply.chat, []) if b and pattern.search(text))
        where = f"employee reply {reply.token} to customer {reply.chat}"
        if not copies:
            tally.lost.append(where)
        elif copies > 1:
            tally.duplicated.append(f"{where}: delivered {copies} times")
        if copies and reply.delivered_at is not None:
            tally.replies.append(reply.delivered_at - reply.at)
    return tally

"""The load benchmark's tracker: it watches the fake Telegram and Slack for what became of
each customer message, and wakes the customer waiting for it.

The fakes call it with each new message as they store it (their on_message / on_post
hooks), and it wakes only that customer: nothing scans all chats on a change (waiters that
each rescanned everything stalled; a watcher scanning the waiting chats cost the most CPU
of the bench process after the fakes themselves).
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
from playground.fake_slack.state import Channel
from playground.fake_telegram.state import Chat, StoredMessage

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


class Aborted(Exception):
    """The whole run stops (the worker died, nothing moves, the deadline passed)."""


class Tracker:
    def __init__(self, pg: Playground) -> None:
        self.pg = pg
        self.chats: dict[int, ChatLog] = {}
        self.active: set[int] = set()  # customers waiting for something now
        self.tokens: dict[str, list[float]] = {}  # thread token -> when seen in Slack
        self.thread_chat: dict[str, int] = {}  # card ts -> customer chat
        self.failure: str | None = None
        self.last_change = time.monotonic()

    def log(self, chat: int) -> ChatLog:
        log = self.chats.get(chat)
        if log is None:  # not setdefault: that builds a ChatLog (and its Event) every call
            log = self.chats[chat] = ChatLog()
        return log

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
        """Hears of every new Telegram and Slack message, as the fakes store it, until
        cancelled; an error here stops the run (it would otherwise look hung)."""
        telegram, slack = self.pg.telegram.state.on_message, self.pg.slack.workspace.on_post
        telegram.append(self._telegram_message)
        slack.append(self._slack_posted)
        try:
            await asyncio.Event().wait()
        finally:
            telegram.remove(self._telegram_message)
            slack.remove(self._slack_posted)

    def _telegram_message(self, chat: Chat, message: StoredMessage) -> None:
        if not message.from_bot or (log := self.chats.get(chat.id)) is None:
            return
        log.bot.append((time.perf_counter(), str(message.api.get("text") or "")))
        log.changed.set()
        self.last_change = time.monotonic()

    def _slack_posted(self, channel: Channel, message: dict[str, Any]) -> None:
        try:
            self._slack_message(channel.id, message, time.perf_counter())
        except Exception as exc:  # never fail the fake's request: stop the run instead
            self.fail(f"the benchmark's own watcher failed: {exc!r}")

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

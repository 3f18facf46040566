"""The simulated customers (and the employees answering some of them) of the load benchmark,
and the checks that nothing was lost or delivered twice."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from benchmarks.load_harness import JSON, TOKEN, Bench

FACTUAL = [
    "what time do you open on saturday at riverside?",
    "where is the downtown store?",
    "is there parking at northgate?",
    "can I return something without a receipt?",
    "do you take apple pay?",
    "do you cut keys?",
    "do you deliver?",
    "how do gift cards work?",
]
UPSET = "This is ridiculous, my order never arrived and nobody answers the phone!"
EMPLOYEE = "U0MARIA01"  # Maria, Downtown's supervisor (data/employees.yml)
TIMEOUT = 60.0


class Kind(Enum):
    FACTUAL = "factual"
    UPSET = "upset"
    THREAD = "thread"


@dataclass(frozen=True)
class Plan:
    chat: int
    kinds: tuple[Kind, ...]
    take_over: bool


def plans(customers: int, messages: int) -> list[Plan]:
    """Every 10th customer gets upset at their 3rd message (its later messages go to the
    thread); every 20th is also taken over by an employee, who replies in the thread."""
    base, extra = divmod(messages, customers)
    out = []
    for i in range(customers):
        count = base + (1 if i < extra else 0)
        upset_at = 2 if i % 10 == 3 and count > 2 else None
        kinds = tuple(
            Kind.FACTUAL if upset_at is None or n < upset_at else Kind.UPSET if n == upset_at
            else Kind.THREAD
            for n in range(count)
        )
        out.append(Plan(100_000 + i, kinds, upset_at is not None and i % 20 == 3))
    return out


@dataclass
class Results:
    answers: list[tuple[str, float, float]] = field(default_factory=list)  # text, sent, answered
    handoffs: list[float] = field(default_factory=list)  # upset → holding message
    cards: list[float] = field(default_factory=list)  # upset → card in Slack
    thread_posts: list[float] = field(default_factory=list)  # message → post in its thread
    deliveries: list[float] = field(default_factory=list)  # employee reply → customer
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    sent: int = 0
    employee_replies: int = 0


def _text(message: Any) -> str:
    return str(message.api.get("text") or message.api.get("caption") or "")


async def _bot_message(b: Bench, chat: int, after: int, token: str | None = None) -> Any:
    """The first bot message at position >= after (with `token` in it, if given), or None."""
    messages = b.pg.telegram.state.chats[chat].messages

    def probe() -> Any:
        for m in messages[after:]:
            if m.from_bot and (token is None or token in _text(m)):
                return m
        return None

    return await b.pg.telegram.state.notifier.wait_for(probe, TIMEOUT)


async def _send(b: Bench, res: Results, chat: int, text: str) -> tuple[float, int]:
    started = time.perf_counter()
    await b.pg.telegram.customer_sends(chat, text, first_name=f"C{chat}")
    res.sent += 1
    return started, len(b.pg.telegram.state.chats[chat].messages)


async def run_customer(b: Bench, plan: Plan, res: Results) -> None:
    chat, card = plan.chat, None
    for n, kind in enumerate(plan.kinds):
        if kind is Kind.FACTUAL:
            text = FACTUAL[(chat + n) % len(FACTUAL)]
            started, after = await _send(b, res, chat, text)
            if await _bot_message(b, chat, after) is None:
                res.lost.append(f"{chat}#{n}: no answer to {text!r}")
            else:
                res.answers.append((text, started, time.perf_counter()))
        elif kind is Kind.UPSET:
            started, after = await _send(b, res, chat, UPSET)
            if await _bot_message(b, chat, after) is None:
                res.lost.append(f"{chat}#{n}: no holding message")
                return
            res.handoffs.append(time.perf_counter() - started)
            name = f"C{chat}"
            card = await _wait_slack(b, lambda: b.slack.cards.get(name))
            if card is None:
                res.lost.append(f"{chat}#{n}: no handoff card")
                return
            res.cards.append(time.perf_counter() - started)
            if plan.take_over:
                await _take_over(b, res, chat, card)
        else:
            assert card is not None
            await _thread_message(b, res, plan, n, card)


async def _wait_slack(b: Bench, probe: Any) -> Any:
    try:
        return await b.slack.wait(probe, TIMEOUT)
    except TimeoutError:
        return None


async def _take_over(b: Bench, res: Results, chat: int, card: JSON) -> None:
    after = len(b.pg.telegram.state.chats[chat].messages)
    await b.pg.slack.user_clicks(EMPLOYEE, card["channel"], card["ts"], "take_over")
    if await _bot_message(b, chat, after, "Hello, this is") is None:
        res.lost.append(f"{chat}: no introduction after the take-over")


async def _thread_message(b: Bench, res: Results, plan: Plan, n: int, card: JSON) -> None:
    chat, token = plan.chat, f"q{plan.chat}x{n}"
    started, _ = await _send(b, res, chat, f"also, one more thing about my order ({token})")
    if await _wait_slack(b, lambda: b.slack.posts.get(token)) is None:
        res.lost.append(f"{chat}#{n}: not in the thread")
        return
    res.thread_posts.append(time.perf_counter() - started)
    if plan.take_over and n % 3 == 0:
        reply = f"r{chat}x{n}"
        after = len(b.pg.telegram.state.chats[chat].messages)
        started = time.perf_counter()
        res.employee_replies += 1
        await b.pg.slack.user_posts(
            EMPLOYEE,
            card["channel"],
            f"Sorry about that, I am checking your order right now ({reply}).",
            thread_ts=card["ts"],
        )
        if await _bot_message(b, chat, after, reply) is None:
            res.lost.append(f"{chat}#{n}: employee reply {reply} not delivered")
        else:
            res.deliveries.append(time.perf_counter() - started)


async def run_all(b: Bench, all_plans: list[Plan], concurrency: int, res: Results) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(plan: Plan) -> None:
        async with gate:
            await run_customer(b, plan, res)

    await asyncio.gather(*(one(p) for p in all_plans))


def check_duplicates(b: Bench, all_plans: list[Plan], res: Results) -> None:
    """After the run has settled: one bot answer per factual message, each thread message
    posted once, each employee reply delivered once."""
    b.slack.refresh()
    for plan in all_plans:
        messages = b.pg.telegram.state.chats[plan.chat].messages
        customer = [i for i, m in enumerate(messages) if not m.from_bot]
        for n, kind in enumerate(plan.kinds):
            if n >= len(customer):
                break
            if kind is Kind.FACTUAL:
                end = customer[n + 1] if n + 1 < len(customer) else len(messages)
                answers = end - customer[n] - 1
                if answers > 1:
                    res.duplicated.append(f"{plan.chat}#{n}: {answers} bot answers")
            elif kind is Kind.THREAD:
                posts = len(b.slack.posts.get(f"q{plan.chat}x{n}", []))
                if posts > 1:
                    res.duplicated.append(f"{plan.chat}#{n}: posted {posts} times in the thread")
        for m in messages:
            if m.from_bot and len(found := TOKEN.findall(_text(m))) > 0:
                copies = sum(1 for o in messages if o.from_bot and found[0] in _text(o))
                if copies > 1:
                    res.duplicated.append(f"{plan.chat}: {found[0]} delivered {copies} times")

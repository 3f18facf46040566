"""The load benchmark's customers, and the employee (Maria) answering some of them.

Each customer sends its messages in order, each one after the outcome of the one before:
the bot's answer, the handoff card in Slack, or the post in the Slack thread (see
load_tracker.py), as a person chatting would.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from benchmarks.load_harness import BenchError
from benchmarks.load_tracker import Aborted, ChatLog, Kind, Reply, Sent, Tracker
from nlu.processes import die_with_parent
from nlu.project import PROJECT_ROOT
from playground.app import Playground

T = TypeVar("T")
EVAL_CASES = PROJECT_ROOT / "tests" / "data" / "triage_eval.yml"
EMPLOYEE = "U0MARIA01"  # Maria, Downtown's supervisor (data/employees.yml)
REPLY = "I've checked order {} and it left our warehouse this morning, so it should arrive soon."
FOLLOW_UPS = (
    "any news on this?",
    "are you still there?",
    "I also sent an email about it",
    "it has been two weeks now",
    "can someone call me back please",
    "the order number is in the confirmation email",
)


@dataclass(frozen=True)
class Plan:
    chat: int
    kinds: tuple[Kind, ...]
    take_over: bool  # an employee takes the conversation and answers in the thread


def plans(customers: int, messages: int, first_chat: int = 100_000) -> list[Plan]:
    """Messages spread evenly; one customer in five gets upset at their third message (the
    rest of theirs go to the Slack thread), and half of those are taken over by Maria."""
    base, extra = divmod(messages, customers)
    out = []
    for i in range(customers):
        count = base + (i < extra)
        upset_at = min(2, count - 1) if i % 5 == 2 and count else None
        kinds = tuple(
            Kind.FACTUAL
            if upset_at is None or n < upset_at
            else Kind.UPSET
            if n == upset_at
            else Kind.THREAD
            for n in range(count)
        )
        out.append(Plan(first_chat + i, kinds, upset_at is not None and i % 10 == 2))
    return out


async def choose_texts(rasa_url: str) -> dict[Kind, list[str]]:
    """Held-out cases (tests/data/triage_eval.yml) that today's model and policy route as
    labelled, per `tandem triage --file`: factual ones it answers, emotional and complex
    ones it hands off. Customers have no home store, as there."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot.cli", "triage", "--file", str(EVAL_CASES)),
        cwd=PROJECT_ROOT,
        env={**os.environ, "RASA_URL": rasa_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=die_with_parent(),  # ends with the benchmark, even a killed one
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 300)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise BenchError("`tandem triage --file` took more than 300 s") from None
    if process.returncode:
        raise BenchError(f"`tandem triage --file` failed: {err.decode()[-2000:]}")
    routes = {}
    for line in out.decode().splitlines():
        found = json.loads(line) if line.startswith("{") else {}
        if "text" in found:
            routes[found["text"]] = found["route"]
    cases = yaml.safe_load(EVAL_CASES.read_text())["cases"]
    texts = {
        Kind.FACTUAL: [
            c["text"]
            for c in cases
            if c["category"] == "factual" and routes.get(c["text"]) == "answer"
        ],
        Kind.UPSET: [
            c["text"]
            for c in cases
            if c["category"] in ("emotional", "complex") and routes.get(c["text"]) == "handoff"
        ],
    }
    if not texts[Kind.FACTUAL] or not texts[Kind.UPSET]:
        raise BenchError(f"too few usable texts in {EVAL_CASES}: {texts}")
    return texts


@dataclass
class Results:
    sent: list[Sent] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    take_overs: list[float] = field(default_factory=list)  # click -> introduction, seconds
    gave_up: list[str] = field(default_factory=list)  # customers who waited in vain
    errors: list[str] = field(default_factory=list)


class Customers:
    """Each customer sends its messages in order, each after the previous one's outcome;
    one that waits longer than `timeout` for an outcome gives up (recorded)."""

    def __init__(
        self,
        pg: Playground,
        tracker: Tracker,
        texts: dict[Kind, list[str]],
        timeout: float,
        think: float = 0.0,
    ) -> None:
        self.pg, self.tracker, self.texts, self.timeout = pg, tracker, texts, timeout
        self.think = think  # seconds a customer reads an answer before writing again
        self.results = Results()

    async def run(self, plan: Plan) -> None:
        self.tracker.active.add(plan.chat)
        self.tracker.log(plan.chat)
        try:
            await self._run(plan)
        except Aborted:
            raise
        except Exception as exc:  # a fake refusing an action: recorded, the others go on
            self.results.errors.append(f"customer {plan.chat}: {exc!r}"[:300])
        finally:
            self.tracker.active.discard(plan.chat)

    async def _run(self, plan: Plan) -> None:
        log, handed_off = self.tracker.log(plan.chat), False
        for n, planned in enumerate(plan.kinds):
            if n:
                await asyncio.sleep(self.think)
            # A factual question handed off after all (Rasa slow, triage unsure) is followed
            # by thread messages: the bot stays silent while a person has the conversation.
            kind = Kind.THREAD if handed_off and planned is Kind.FACTUAL else planned
            sent, cards = await self._send(plan.chat, n, kind, log)
            if sent.outcome_at is None:
                self.results.gave_up.append(f"customer {plan.chat}, message {n} ({kind})")
                return
            if len(log.cards) > cards:  # handed off: the rest goes to the thread
                handed_off = True
                if plan.take_over:
                    await self._take_over(plan.chat, log)
            if plan.take_over and handed_off and kind is Kind.THREAD and n % 4 == 0:
                await self._employee_replies(plan.chat, log, f"{plan.chat}{n:02d}")

    async def _send(self, chat: int, n: int, kind: Kind, log: ChatLog) -> tuple[Sent, int]:
        """Send message n and wait for its outcome; also returns the cards seen before it."""
        token = f"q{chat}x{n}"
        if kind is Kind.THREAD:
            text = f"{FOLLOW_UPS[n % len(FOLLOW_UPS)]} (ref {token})"
        else:
            pool = self.texts[kind]
            text = pool[(chat * 7 + n) % len(pool)]
        bots, cards = len(log.bot), len(log.cards)
        sent = Sent(chat, n, kind, text, time.perf_counter())
        self.results.sent.append(sent)
        await self.pg.telegram.customer_sends(chat, text, first_name=f"Cust{chat}")
        if kind is Kind.THREAD:
            seen = await self.wait(chat, lambda: self.tracker.tokens.get(token))
            sent.outcome_at = seen[0] if seen else None
            return sent, cards
        sent.outcome_at = await self.wait(chat, lambda: _first(log, bots, cards))
        if sent.outcome_at is not None and kind is Kind.UPSET:  # the card may be seen second
            await self.tracker.wait(chat, lambda: _after(log.cards, cards), 5.0)
        if sent.outcome_at is not None and len(log.cards) > cards:
            # handed off: wait for the holding message, so it is not taken for the next answer
            await self.tracker.wait(chat, lambda: _after(log.bot, bots), 10.0)
        return sent, cards

    async def wait(self, chat: int, probe: Callable[[], T | None]) -> T | None:
        return await self.tracker.wait(chat, probe, self.timeout)

    async def _take_over(self, chat: int, log: ChatLog) -> None:
        _, channel, ts = log.cards[-1]
        bots, clicked = len(log.bot), time.perf_counter()
        await self.pg.slack.user_clicks(EMPLOYEE, channel, ts, "take_over")
        intro = await self.wait(chat, lambda: _after(log.bot, bots))
        if intro is None:
            self.results.errors.append(f"customer {chat}: no introduction after the take-over")
        else:
            self.results.take_overs.append(intro - clicked)

    async def _employee_replies(self, chat: int, log: ChatLog, token: str) -> None:
        _, channel, ts = log.cards[-1]
        reply = Reply(chat, token, time.perf_counter())
        self.results.replies.append(reply)
        await self.pg.slack.user_posts(EMPLOYEE, channel, REPLY.format(token), thread_ts=ts)
        reply.delivered_at = await self.wait(
            chat, lambda: next((at for at, text in log.bot if token in text), None)
        )


def _after(seen: list[Any], count: int) -> float | None:
    return float(seen[count][0]) if len(seen) > count else None


def _first(log: ChatLog, bots: int, cards: int) -> float | None:
    """When the first outcome of a message was seen: a bot message or a handoff card."""
    times = [t for t in (_after(log.bot, bots), _after(log.cards, cards)) if t is not None]
    return min(times) if times else None

"""A stream of customers and employees, driven only through the fakes' public sides.

Customers write through the fake Telegram's customer API; employees watch the fake Slack
for handoff cards, take them over and reply in the threads. Every text carries a token
(``#c3-m5``: customer 3's fifth message; ``#c3-r2``: the second employee reply to
customer 3), which the NLU ignores (tests/faults/test_traffic_texts.py checks the routing
with the real model), so the checker (checker.py) can trace each message to where it went.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.project import PROJECT_ROOT
from playground.app import Playground
from playground.fake_slack.state import FakeSlackError

JSON = dict[str, Any]
DATA = PROJECT_ROOT / "data"
FIRST_CHAT = 800  # customer n writes from Telegram chat FIRST_CHAT + n
TAKE_OVER = "take_over"  # the card's button (handoff/slack/blocks.py)
CUSTOMER_TOKEN = re.compile(r"#c(\d+)-m(\d+)\b")
REPLY_TOKEN = re.compile(r"#c(\d+)-r(\d+)\b")

# Questions the bot answers, each with words only its answer contains (from stores.yml
# and answers.yml): the checker knows a bot answer by them, whatever the phrasing.
FACTUAL: tuple[tuple[str, str], ...] = (
    ("Where is the Downtown store?", "1448 Woodward"),
    ("What is the address of the Riverside store?", "2250 W Jefferson"),
    ("Where is the Northgate store?", "18900 Livernois"),
    ("Can I park at the Downtown store?", "Grand Circus Park garage"),
    ("Is there parking at Northgate?", "Northgate Plaza lot"),
    ("Do you take Apple Pay?", "Google Pay"),
    ("What is your returns policy?", "90 days"),
    ("Do you sell gift cards?", "never expire"),
)
# Messages a person must handle (upset, or asking for a person).
UPSET: tuple[str, ...] = (
    "My order never arrived and I'm really annoyed",
    "I want to speak to a real person please",
    "The drill I bought at Riverside broke after one day, this is terrible",
    "I was charged twice at the Downtown store and I am very upset",
    "My delivery from Northgate came damaged and I am really disappointed",
)
# What employees write back (the reply guard passes them: tests/faults/test_traffic_texts).
REPLIES: tuple[str, ...] = (
    "Thanks for your patience, I am looking into this for you now.",
    "I have checked with the team and we will sort this out today.",
    "Thank you for waiting, I can confirm everything is arranged.",
)
NAMES = (
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley",
    "Harper", "Jordan", "Kendall", "Logan", "Morgan", "Parker",
)  # fmt: skip


def mark_in_flight(traffic: Traffic) -> None:
    """Note each chat's newest bot message at the moment a worker is killed."""
    for customer in {m.customer for m in traffic.sent}:
        chat = chat_of(customer)
        sent = [m for m in traffic.pg.telegram.messages(chat) if m["from_bot"]]
        if sent:
            traffic.in_flight[chat] = int(sent[-1]["index"])


def chat_of(customer: int) -> int:
    return FIRST_CHAT + customer


@dataclass(frozen=True)
class Message:
    """One customer message as sent; `marker` is in the bot's answer (None: for a person)."""

    customer: int
    seq: int
    text: str
    marker: str | None

    @property
    def token(self) -> str:
        return f"#c{self.customer}-m{self.seq}"


@dataclass(frozen=True)
class Reply:
    """One employee reply as posted in the thread."""

    customer: int
    seq: int
    text: str
    user: str
    thread_ts: str

    @property
    def token(self) -> str:
        return f"#c{self.customer}-r{self.seq}"


@dataclass
class Card:
    """A handoff card as first seen in Slack (before any click changes it)."""

    channel: str
    ts: str
    snapshot: JSON

    @property
    def dump(self) -> str:
        return json.dumps(self.snapshot)


def script(customer: int, count: int, rng: random.Random) -> list[Message]:
    """Every third customer asks only questions the bot answers; the others get upset at
    their second or third message, and what they write after goes to the thread."""
    if not 1 <= count <= len(FACTUAL):
        raise ValueError(f"1 to {len(FACTUAL)} messages per customer")
    questions = rng.sample(FACTUAL, k=len(FACTUAL))  # distinct markers within a chat
    upset_at = None if customer % 3 == 0 else min(1 + customer % 2, count - 1)
    texts: list[tuple[str, str | None]] = []
    for seq in range(count):
        after = upset_at is not None and seq > upset_at and seq % 2 == 0
        if seq == upset_at or after:
            texts.append((UPSET[(customer + seq) % len(UPSET)], None))
        else:
            texts.append(questions.pop())
    return [
        Message(customer, seq + 1, f"{text} #c{customer}-m{seq + 1}", marker)
        for seq, (text, marker) in enumerate(texts)
    ]


class Traffic:
    """Customers writing, and employees taking over their cards and replying.

    Use as an async context manager: the desk (the employees) watches Slack from entry
    to exit. ``customers`` starts customers in the background; the checker's ``settle``
    waits for all of them and for every employee to finish.
    """

    def __init__(self, pg: Playground, *, seed: int = 7, replies: int = 3) -> None:
        self.pg = pg
        self.rng = random.Random(seed)
        self.replies_per_card = replies
        self.sent: list[Message] = []
        self.replies: list[Reply] = []
        self.cards: dict[str, Card] = {}
        self.desk_problems: list[str] = []
        # Per chat, the index of the bot's last message when a worker was SIGKILLed: the
        # one send a lane can have had in flight (see checker.resent_in_flight).
        self.in_flight: dict[int, int] = {}
        self.claimed: dict[int, int] = {}  # customer -> claims Slack showed as done
        self.customer_tasks: list[asyncio.Task[None]] = []
        self.employee_tasks: list[asyncio.Task[None]] = []
        self._reply_seq: dict[int, int] = {}
        stores = StoreDirectory.load(DATA / "stores.yml")
        self.employees = {e.slack_user_id: e.name for e in EmployeeDirectory.load(
            DATA / "employees.yml", stores
        )}  # fmt: skip
        self._next_employee = 0
        self._watcher: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Traffic:
        self._watcher = asyncio.create_task(self._watch_desk(), name="fault-desk")
        return self

    async def __aexit__(self, *exc: object) -> None:
        tasks = [t for t in (self._watcher, *self.customer_tasks, *self.employee_tasks) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def busy(self) -> list[str]:
        """What is still running: customers still to write, employees still to reply."""
        running = [t for t in (*self.customer_tasks, *self.employee_tasks) if not t.done()]
        return [t.get_name() for t in running]

    def raise_errors(self) -> None:
        for task in (*self.customer_tasks, *self.employee_tasks, self._watcher):
            if task is not None and task.done() and not task.cancelled():
                error = task.exception()
                if error is not None:
                    raise error

    async def wait_sent(self, count: int, *, within: float = 30.0) -> None:
        """Until customers have sent `count` messages: a point mid-stream for a fault."""
        async with asyncio.timeout(within):
            while len(self.sent) < count:
                self.raise_errors()
                await asyncio.sleep(0.01)

    # -- customers -------------------------------------------------------------------------

    def customers(self, numbers: Iterable[int], *, messages: int = 6, over: float) -> None:
        """Start these customers: together they write for about `over` seconds, each
        `messages` messages over half of it (some straight after another), their first
        ones staggered over the first half."""
        numbers = list(numbers)
        for index, customer in enumerate(numbers):
            plan = script(customer, messages, self.rng)
            begin = over / 2 * index / max(len(numbers), 1)
            mean_gap = (over / 2) / max(messages - 1, 1)
            gaps = [  # one in four straight after the previous one, as people do type
                self.rng.uniform(0.0, 0.02)
                if self.rng.random() < 0.25
                else mean_gap * self.rng.uniform(0.5, 1.5)
                for _ in plan
            ]
            self.customer_tasks.append(
                asyncio.create_task(
                    self._customer(plan, begin, gaps), name=f"customer {customer} writing"
                )
            )

    async def _customer(self, plan: list[Message], begin: float, gaps: list[float]) -> None:
        await asyncio.sleep(begin)
        for message, gap in zip(plan, gaps, strict=True):
            name = NAMES[message.customer % len(NAMES)]
            await self.pg.telegram.customer_sends(
                chat_of(message.customer), message.text, first_name=name
            )
            self.sent.append(message)
            await asyncio.sleep(gap)

    # -- employees -------------------------------------------------------------------------

    async def _watch_desk(self) -> None:
        """Snapshot each new card at first sight and send an employee to it."""
        slack = self.pg.slack
        while True:
            for channel in list(slack.workspace.channels):
                for message in slack.messages(channel, top_level=True):
                    if message["ts"] in self.cards or not is_card(message):
                        continue
                    card = Card(channel, message["ts"], copy.deepcopy(message))
                    self.cards[card.ts] = card
                    user = self._pick_employee()
                    self.employee_tasks.append(
                        asyncio.create_task(
                            self._employee(card, user),
                            name=f"{self.employees[user]} on card {card.ts} in {channel}",
                        )
                    )
            await asyncio.sleep(0.05)

    def _pick_employee(self) -> str:
        ids = sorted(self.employees)
        self._next_employee += 1
        return ids[(self._next_employee * 5) % len(ids)]  # spread over the stores

    async def _employee(self, card: Card, user: str) -> None:
        customer = _customer_on(card)
        if customer is None:
            self.desk_problems.append(f"card {card.ts} in {card.channel} names no customer token")
            return
        if not await self._take_over(card, user, within=30.0):
            self.desk_problems.append(
                f"{self.employees[user]} could not take over card {card.ts} (customer "
                f"{customer}): no 'took over' status nor 'You already have' answer in Slack"
            )
            return
        self.claimed[customer] = self.claimed.get(customer, 0) + 1
        for n in range(self.replies_per_card):
            await asyncio.sleep(self.rng.uniform(0.3, 1.0))
            seq = self._reply_seq[customer] = self._reply_seq.get(customer, 0) + 1
            text = f"{REPLIES[n % len(REPLIES)]} #c{customer}-r{seq}"
            await self.pg.slack.user_posts(user, card.channel, text, thread_ts=card.ts)
            self.replies.append(Reply(customer, seq, text, user, card.ts))

    async def _take_over(self, card: Card, user: str, *, within: float) -> bool:
        """Click Take over until Slack shows the claim worked (a click can be lost while a
        worker is down or Slack fails: the employee clicks again, as a person would)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            with contextlib.suppress(FakeSlackError):
                await self.pg.slack.user_clicks(user, card.channel, card.ts, TAKE_OVER)
            retry_at = min(loop.time() + 3.0, deadline)
            while loop.time() < retry_at:
                if self._claim_shown(card, user):
                    return True
                await asyncio.sleep(0.1)
        return self._claim_shown(card, user)

    def _claim_shown(self, card: Card, user: str) -> bool:
        name = self.employees[user]
        with contextlib.suppress(FakeSlackError):
            for m in self.pg.slack.thread(card.channel, card.ts):
                if "took over" in str(m.get("text", "")) and name in str(m.get("text", "")):
                    return True
        return any(
            "already have this conversation" in str(e.get("text", ""))
            and (e.get("channel"), e.get("thread_ts")) == (card.channel, card.ts)
            for e in self.pg.slack.ephemerals(user)
        )


def is_card(message: JSON) -> bool:
    return bool(message.get("bot_id")) and f'"{TAKE_OVER}"' in json.dumps(message.get("blocks"))


def _customer_on(card: Card) -> int | None:
    found = {int(m.group(1)) for m in CUSTOMER_TOKEN.finditer(card.dump)}
    return min(found) if found else None

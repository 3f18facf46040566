"""Supervisor review at scale: 50,000 conversations of ~10 events in a fresh embedded Valkey,
loaded through the live indexing code (fold + index_ops, pipelined), then timed through the
worker's HTTP app (httpx ASGITransport, signed in). Prints the median and p90 of:
the list page (no filter, one filter, several filters with dates), text searches, a
conversation page, metrics for a month and overall, and a CSV export of a filtered list.

    python -m benchmarks.review_bench [--conversations 50000] [--runs 25]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

from bot.http_app import build_http_app
from handoff.core.state import Conversation, Event, Status, ThreadRef
from handoff.review.accounts import Accounts, hash_password
from handoff.review.app import build_review_app
from handoff.review.web import ReviewConfig
from handoff.review.wiring import load_intents
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.keys import Keys
from handoff.storage.records.indexer import fold, index_ops, queue
from handoff.storage.store import ConversationStore
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.project import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
DAY = 24 * 3600
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway account in a temporary Valkey)
FACTUAL = [
    ("ask_hours", "what time does {store} close on {day}?", "We close at 8 pm on {day}."),
    ("ask_location", "where is the {store} store?", "We're at 2140 Woodward Ave."),
    ("ask_returns", "can I return a {item} without a receipt?", "Yes, within 30 days."),
    ("ask_parking", "is there parking at {store}?", "Free parking behind the store."),
    ("ask_delivery", "do you deliver {item}s?", "We deliver within 15 miles."),
]
UPSET = [
    ("order_problem", "my order {order} never arrived and I'm really annoyed"),
    ("damaged_item", "the {item} I bought is broken, this is useless"),
    ("refund_request", "I want a refund for the {item}, order {order}"),
    ("complaint", "the staff at {store} were rude about my {item}"),
]
REPLIES = [
    "Hi {name}, {emp} here. I'm sorry about the {item}; let me check order {order}.",
    "I found it: the {item} ships today and you'll get tracking by email.",
    "We can swap the {item} at {store} any day this week.",
    "Thanks for waiting, {name}. The refund for {order} is on its way.",
]
ITEMS = ["drill", "mower", "ladder", "paint", "hose", "grill", "shovel", "saw", "lamp", "faucet"]
NAMES = ["Alex", "Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hana", "Ian", "Jo", "Kim", "Lou"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def conversations(n: int, now: float, stores: StoreDirectory, employees: EmployeeDirectory
                  ) -> Iterator[tuple[Conversation, list[Event], str]]:  # fmt: skip
    rng = random.Random(5)
    team = {s.id: [e.slack_user_id for e in employees.for_store(s.id)] for s in stores}
    for i in range(1, n + 1):
        store = rng.choice(list(team))
        chat, name = 100_000 + rng.randrange(n // 2), rng.choice(NAMES)
        opened = now - rng.random() * 365 * DAY
        words = {"store": stores.get(store).name, "day": rng.choice(DAYS),
                 "item": rng.choice(ITEMS), "order": f"#{rng.randrange(10**5, 10**6)}",
                 "name": name}  # fmt: skip
        log = _Log(rng, opened)
        add = log.add

        status, owner = Status.BOT, None
        for _ in range(rng.randint(2, 4)):
            intent, ask, answer = rng.choice(FACTUAL)
            add(
                "customer_message", "customer", text=ask.format(**words), message_id=len(log.events)
            )
            nlu = {"intent": intent, "confidence": round(rng.uniform(0.7, 0.99), 3),
                   "margin": 0.5, "sentiment": round(rng.uniform(-0.2, 0.6), 3)}  # fmt: skip
            add("bot_answer", "bot", "answered", text=answer.format(**words), nlu=nlu)
        reason = None
        if rng.random() < 0.45:
            reason, upset = rng.choice(UPSET)
            add("customer_message", "customer", text=upset.format(**words))
            add("handoff", "bot", reason, nlu={"intent": reason, "sentiment": -0.6})
            add("bot_notice", "bot", text="I've passed your message to our team.")
            status = Status.PENDING
            if rng.random() < 0.9:
                owner = rng.choice(team[store])
                log.t += rng.expovariate(1 / 400)
                add("claim", owner)
                words["emp"] = employees.by_slack_id(owner).name  # type: ignore[union-attr]
                for reply in rng.sample(REPLIES, 2):
                    add("employee_reply", owner, text=reply.format(**words))
                status = Status.HUMAN
                if rng.random() < 0.8:
                    add("resolve", owner)
                    status = Status.RESOLVED
                if rng.random() < 0.4:
                    add("rating", "customer", rating=rng.choice([1, 2, 3, 4, 5, 5, 5]))
        conv = Conversation(
            id=f"c{i}", chat_id=str(chat), status=status, opened_at=opened, store_id=store,
            owner=owner if status is Status.HUMAN else None, handoff_reason=reason,
            thread=ThreadRef("C0BENCH", f"{opened:.6f}") if reason else None,
        )  # fmt: skip
        yield conv, log.events, name


class _Log:
    """A conversation's events, each a random few seconds after the one before."""

    def __init__(self, rng: random.Random, start: float) -> None:
        self.rng, self.t, self.events = rng, start, list[Event]()

    def add(self, kind: str, by: str, reason: str | None = None, **detail: object) -> None:
        self.t += self.rng.expovariate(1 / 40)
        self.events.append(Event(kind, self.t, by, reason, dict(detail)))


async def load(redis: Redis, n: int, now: float, stores: StoreDirectory,
               employees: EmployeeDirectory) -> None:  # fmt: skip
    keys, started = Keys(), time.perf_counter()
    pipe = redis.pipeline(transaction=False)
    for count, (conv, events, name) in enumerate(conversations(n, now, stores, employees), 1):
        row, found = fold(conv, events, conv.id)
        pipe.set(keys.conv(conv.id), json.dumps(conv.to_dict()))
        pipe.set(keys.chat(conv.chat_id), conv.id)
        pipe.zadd(keys.convs, {conv.id: conv.opened_at})
        pipe.hset(
            keys.customer(conv.chat_id), mapping={"first_name": name, "store": conv.store_id or ""}
        )
        for event in events:
            pipe.xadd(keys.log(conv.id), {"e": json.dumps(asdict(event))})
        pipe.set(keys.summary(conv.id), row.to_json())
        queue(pipe, index_ops(keys, None, row, found))
        if count % 500 == 0:
            await pipe.execute()
            if count % 10_000 == 0:
                print(f"  loaded {count:,} conversations ({time.perf_counter() - started:.0f} s)")
    pipe.set(keys.sequence, n)  # the last number handed out, as the store keeps it
    await pipe.execute()
    info = await redis.info("memory")
    print(f"loaded {n:,} conversations in {time.perf_counter() - started:.0f} s; "
          f"Valkey uses {info['used_memory_human']}")  # fmt: skip


async def timed(client: httpx.AsyncClient, label: str, path: str, runs: int) -> None:
    samples, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    total = re.search(r'id="total">(\d+)<', response.text)
    found = f"{int(total.group(1)):>6,} found" if total else f"{size / 1024:>6.0f} KiB"
    p90 = statistics.quantiles(samples, n=10, method="inclusive")[8]
    print(f"{label:<46} {found}   median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms")


async def main(n: int, runs: int) -> None:
    stores = StoreDirectory.load(DATA / "stores.yml")
    employees = EmployeeDirectory.load(DATA / "employees.yml", stores)
    now = time.time()
    async with AsyncExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = EmbeddedRedis(state / "valkey")
        redis = Redis.from_url(await server.start())
        stack.push_async_callback(server.stop)
        stack.push_async_callback(redis.aclose)
        await load(redis, n, now, stores, employees)

        config = ReviewConfig(
            store=ConversationStore(redis), stores=stores, employees=employees,
            accounts=Accounts({"bench": hash_password(PASSWORD)}), secret="bench-" * 8,
            intents=load_intents(DATA / "nlu.yml"),
        )  # fmt: skip

        async def ready() -> dict[str, str]:
            return {}

        app = build_http_app(None, ready, review=build_review_app(config))
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url="https://review.bench")
        stack.push_async_callback(client.aclose)
        form = await client.get("/review/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        signed = await client.post("/review/login", data={"csrf": csrf.group(1), "name": "bench",
                                                          "password": PASSWORD})  # fmt: skip
        assert signed.status_code == 303

        local = datetime.fromtimestamp(now, stores.tz).date()
        month = local.replace(day=1).isoformat()
        print(f"\n{runs} requests each, through the worker's HTTP app:")
        await timed(client, "list, first page (50 rows), no filter", "/review/", runs)
        await timed(client, "list, store filter", "/review/?store=riverside", runs)
        await timed(client, "list, store + status + sentiment + dates",
                    f"/review/?store=downtown&status=resolved&sentiment=negative&since={month}",
                    runs)  # fmt: skip
        await timed(client, "list, 40th page of a store", "/review/?store=northgate&offset=2000",
                    runs)  # fmt: skip
        await timed(client, "search one word", "/review/?q=refund", runs)
        await timed(client, "search two words + store", "/review/?q=broken+mower&store=downtown",
                    runs)  # fmt: skip
        await timed(client, "conversation page", f"/review/c/c{n // 2}", runs)
        await timed(client, "metrics, this month", f"/review/metrics?since={month}", runs)
        await timed(client, "metrics, overall (50k rows)", "/review/metrics?since=&until=",
                    max(3, runs // 5))  # fmt: skip
        await timed(client, "CSV export, riverside + 30 days",
                    f"/review/export.csv?store=riverside&since={month}", runs)  # fmt: skip
        await timed(client, "CSV export, one store, all time", "/review/export.csv?store=downtown",
                    max(3, runs // 5))  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(main(args.conversations, args.runs))

"""`make bench`: many simulated customers through one real worker, with the real Rasa.

The worker is `tandem run` in its own process, pointed (by its settings, as a deployment
would be) at the fake Telegram and Slack servers this process serves, at Redis (REDIS_URL,
empty, or an embedded Valkey) and at Rasa (RASA_URL, or one started here). Customers chat
concurrently, each message after the previous one's outcome: factual questions the bot
answers, and for one customer in five an upset message that is handed off, after which
their messages go to the Slack thread; half of those are taken over by an employee who
answers in the thread. Prints throughput, latencies, Tandem's own time per message beyond
the Rasa parse (from the worker's /metrics), the worker's peak memory, Redis bytes per
conversation and Rasa's own /model/parse figures measured in the same run, against the
targets. Exits 1 when a message was lost or duplicated, 2 when the run could not finish.

    python -m benchmarks.load [--customers 1000] [--messages 20000] [--concurrency 50]
    python -m benchmarks.load --quick   # 50 customers, 500 messages
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from benchmarks.load_customers import Customers, Plan, choose_texts, plans
from benchmarks.load_harness import (
    BenchError,
    Direct,
    Services,
    Snapshot,
    rasa_direct,
    services,
)
from benchmarks.load_report import Phase, families, rows, table
from benchmarks.load_tracker import Aborted, Kind, Tally, Tracker, reconcile
from nlu.project import PROJECT_ROOT

PROGRESS_SECONDS = 10.0
LOG_COPY = PROJECT_ROOT / "reports" / "bench" / "worker.log"


async def run_load(
    s: Services,
    customers: Customers,
    all_plans: list[Plan],
    concurrency: int,
    args: argparse.Namespace,
) -> float:
    """All customers, `concurrency` at a time; returns the seconds the load took. A watchdog
    stops everything when the worker dies, nothing moves for `stall` seconds, or at the
    deadline; the reason is then raised as BenchError."""
    tracker, waiting = customers.tracker, deque(all_plans)

    async def lane() -> None:
        while waiting:
            await customers.run(waiting.popleft())

    started = time.perf_counter()
    lanes = [asyncio.create_task(lane()) for _ in range(concurrency)]
    next_progress, failed_at = started + PROGRESS_SECONDS, None
    while not all(t.done() for t in lanes):
        await asyncio.wait(lanes, timeout=1.0)
        now = time.perf_counter()
        if tracker.failure:
            failed_at = failed_at or now
            if now - failed_at > 30:  # customers stuck outside a tracked wait
                for lane_task in lanes:
                    lane_task.cancel()
                await asyncio.wait(lanes, timeout=10.0)
                break
        elif not s.worker.alive:
            tracker.fail(
                f"the worker exited (code {s.worker.process.returncode}):\n{s.worker.tail()}"
            )
        elif tracker.active and time.monotonic() - tracker.last_change > args.stall:
            tail = s.worker.tail()
            tracker.fail(f"nothing happened for {args.stall:.0f} s; the worker's log ends:\n{tail}")
        elif now - started > args.deadline:
            tracker.fail(f"the run passed its deadline of {args.deadline:.0f} s (--deadline)")
        if now >= next_progress:
            next_progress += PROGRESS_SECONDS
            done = sum(1 for m in customers.results.sent if m.outcome_at is not None)
            rss = s.worker.status()["VmRSS"]
            rate = done / (now - started)
            print(
                f"  {now - started:6.0f} s  {done:6d} messages done  {rate:6.1f}/s  "
                f"worker RSS {rss:.0f} MB",
                flush=True,
            )
    failures = [t.exception() for t in lanes if not t.cancelled() and t.exception()]
    for failure in failures:
        if not isinstance(failure, Aborted):
            raise BenchError(f"a customer failed: {failure!r}") from failure
    if tracker.failure:
        raise BenchError(tracker.failure)
    finished = max((m.outcome_at or 0.0 for m in customers.results.sent), default=started)
    return max(finished - started, 1e-9)


async def drain(customers: Customers, settle: float, limit: float) -> None:
    """Wait `settle` seconds for late duplicates, and up to `limit` for late outcomes."""
    started = time.monotonic()
    await asyncio.sleep(settle)
    while time.monotonic() - started < limit:
        if not tally(customers).lost:
            return
        await asyncio.sleep(0.5)


def tally(customers: Customers) -> Tally:
    """Reconcile what the customers sent with what the fakes hold now."""
    tracker, state = customers.tracker, customers.pg.telegram.state
    sent = customers.results.sent
    chats = {
        chat: [(m.from_bot, str(m.api.get("text") or "")) for m in state.chats[chat].messages]
        for chat in {m.chat for m in sent}
        if chat in state.chats
    }
    cards = {chat: [at for at, _, _ in log.cards] for chat, log in tracker.chats.items()}
    return reconcile(sent, customers.results.replies, chats, cards, tracker.tokens)


def family(key: bytes) -> str:
    """A key's family: ids and search words replaced (tandem:log:c12 -> tandem:log:c#,
    tandem:idx:ws:1:hours -> tandem:idx:ws:#:<word>)."""
    name = re.sub(r"\d+", "#", re.sub(r"[0-9a-f]{12,}", "*", key.decode(errors="replace")))
    return re.sub(r":idx:ws:#:.+$", ":idx:ws:#:<word>", name)


async def redis_families(redis: Redis) -> dict[str, int]:
    """MEMORY USAGE (exact: SAMPLES 0) of every key, summed by family."""
    usage: dict[str, int] = {}
    keys = [key async for key in redis.scan_iter(count=1000)]
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        async with redis.pipeline(transaction=False) as pipe:
            for key in batch:
                pipe.memory_usage(key, samples=0)
            sizes = await pipe.execute()
        for key, size in zip(batch, sizes, strict=True):
            usage[family(key)] = usage.get(family(key), 0) + int(size or 0)
    return usage


async def run_phase(
    s: Services,
    tracker: Tracker,
    texts: dict[Kind, list[str]],
    all_plans: list[Plan],
    concurrency: int,
    args: argparse.Namespace,
) -> Phase:
    customers = Customers(s.pg, tracker, texts, args.timeout, args.think)
    messages = sum(len(p.kinds) for p in all_plans)
    print(f"{len(all_plans)} customers, {messages} messages, {concurrency} at a time", flush=True)
    before = await Snapshot.take(s)
    seconds = await run_load(s, customers, all_plans, concurrency, args)
    await drain(customers, args.settle, args.drain)
    after = await Snapshot.take(s)
    return Phase(
        concurrency, args.think, customers.results, tally(customers), seconds, before, after
    )


@dataclass
class Measured:
    solo: Phase
    load: Phase
    direct: list[Direct]  # Rasa's own, before and after
    memory: dict[str, float]  # the worker's VmHWM and VmRSS, MB
    usage: dict[str, int]  # Redis bytes by key family
    conversations: int  # all, warm-up and one-at-a-time included


async def measure(args: argparse.Namespace, state: Path) -> Measured:
    async with services(state, args.telegram_rate) as s:
        print(f"worker pid {s.worker.process.pid} at {s.worker.url}; Rasa {s.rasa_url}", flush=True)
        texts = await choose_texts(s.rasa_url)
        parsed_texts = texts[Kind.FACTUAL] + texts[Kind.UPSET]
        calls = min(1000, max(200, args.messages // 10))
        print(
            f"Rasa /model/parse directly: {calls} calls, {args.concurrency} at a time", flush=True
        )
        direct = [await rasa_direct(s.rasa_url, parsed_texts, calls, args.concurrency)]
        tracker = Tracker(s.pg)
        watching = asyncio.create_task(tracker.watch())
        try:
            warm = Customers(s.pg, tracker, texts, 30.0)
            for plan in plans(5, 15, first_chat=900_000):  # one handed off, and taken over
                await warm.run(plan)
            if warm.results.gave_up or warm.results.errors:
                problems = warm.results.gave_up + warm.results.errors
                raise BenchError(f"the warm-up failed: {problems}\n{s.worker.tail()}")
            print("one at a time: ", end="")
            solo_plans = plans(max(1, args.solo // 10), args.solo, first_chat=800_000)
            solo = await run_phase(s, tracker, texts, solo_plans, 1, args)
            print("the load: ", end="")
            all_plans = plans(args.customers, args.messages)
            load = await run_phase(s, tracker, texts, all_plans, args.concurrency, args)
            memory = s.worker.status()
            usage = await redis_families(s.redis)
        finally:
            watching.cancel()
        direct.append(await rasa_direct(s.rasa_url, parsed_texts, calls, args.concurrency))
    conversations = len(
        {m.chat for p in (warm.results, solo.results, load.results) for m in p.sent}
    )
    return Measured(solo, load, direct, memory, usage, conversations)


def keep_log(log: Path) -> None:
    """The worker's log outlives the run's temporary folder, for a look at what went wrong."""
    if log.exists():
        LOG_COPY.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, LOG_COPY)
        print(f"the worker's log: {LOG_COPY}", file=sys.stderr)


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tandem-load-", ignore_cleanup_errors=True) as state:
        try:
            m = await measure(args, Path(state))
        finally:
            keep_log(Path(state) / "worker.log")
    print()
    print(table(rows(m.load, m.solo, m.direct, m.memory, args.telegram_rate)))
    print()
    print(families(m.usage, m.conversations))
    t = m.load.tally
    for title, items in (
        ("lost", t.lost + m.solo.tally.lost),
        ("duplicated", t.duplicated + m.solo.tally.duplicated),
        ("customers who gave up waiting", m.load.results.gave_up + m.solo.results.gave_up),
        ("errors", m.load.results.errors + m.solo.results.errors),
    ):
        if items:
            print(f"\n{title} ({len(items)}):", *items[:10], sep="\n  ")
    return 1 if t.lost or t.duplicated or m.solo.tally.lost or m.solo.tally.duplicated else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=200, help="customers chatting at once")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between an answer and the next message"
    )
    parser.add_argument("--quick", action="store_true", help="50 customers, 500 messages")
    parser.add_argument(
        "--telegram-rate",
        type=int,
        default=1000,
        help="the bot's sends per second (TELEGRAM_MAX_SENDS_PER_SECOND); Telegram allows ~30",
    )
    parser.add_argument("--solo", type=int, default=40, help="messages sent one at a time first")
    parser.add_argument("--timeout", type=float, default=60.0, help="a customer's patience, s")
    parser.add_argument("--stall", type=float, default=60.0, help="stop when nothing moves, s")
    parser.add_argument("--deadline", type=float, default=3600.0, help="stop the load after, s")
    parser.add_argument("--settle", type=float, default=3.0, help="wait for late duplicates, s")
    parser.add_argument("--drain", type=float, default=30.0, help="wait for late outcomes, s")
    return parser


if __name__ == "__main__":
    arguments = _parser().parse_args()
    if arguments.quick:
        arguments.customers, arguments.messages, arguments.solo = 50, 500, 20
    arguments.concurrency = min(arguments.concurrency, arguments.customers)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        sys.exit(asyncio.run(main(arguments)))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)

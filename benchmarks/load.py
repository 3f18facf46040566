"""Load benchmark: many simulated customers through the playground path, one real worker.

The fake Telegram and Slack servers, a real embedded Valkey (fresh temp dir), the real Rasa
server (``RASA_URL``, or one started here) and one ``bot.worker.Worker`` in HTTP Slack mode,
all in this process. Customers send concurrently (each one's messages in order): mostly
factual questions, some upset messages (handed off; their later messages go to the Slack
thread), and for some an employee takes over and replies in the thread. Prints throughput,
latencies, Tandem's own time per message beyond the Rasa parse, peak memory, Redis bytes
per conversation, Rasa's own /model/parse figures measured in the same run, and checks that
nothing was lost or duplicated.

    python -m benchmarks.load [--customers 1000] [--messages 20000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import defaultdict

import httpx

from benchmarks.load_customers import FACTUAL, Kind, Results, check_duplicates, plans, run_all
from benchmarks.load_harness import Bench, ParseLog, peak_rss_mb, running


def _pcts(samples: list[float]) -> tuple[float, float, float]:
    """p50, p90, p99 in milliseconds."""
    if len(samples) < 2:
        one = samples[0] * 1000 if samples else float("nan")
        return one, one, one
    ms = [s * 1000 for s in samples]
    p = statistics.quantiles(ms, n=100, method="inclusive")
    return statistics.median(ms), p[89], p[98]


def _line(name: str, samples: list[float]) -> str:
    p50, p90, p99 = _pcts(samples)
    return f"  {name:<40} n={len(samples):<6} p50 {p50:7.1f} ms  p90 {p90:7.1f} ms  p99 {p99:7.1f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def own_times(res: Results, parses: ParseLog) -> tuple[list[float], list[float], int]:
    """(own time, parse time, unmatched) per answered factual message. Parses of one text are
    paired with that text's answered messages in order (sent time vs parse start); the pair is
    kept only when the parse started inside the message's send→answer window."""
    calls: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for text, started, finished in parses.calls:
        calls[text].append((started, finished))
    answers: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for text, sent, answered in res.answers:
        answers[text].append((sent, answered))
    own, parse, unmatched = [], [], 0
    for text, sent_answered in answers.items():
        for (sent, answered), (started, finished) in zip(
            sorted(sent_answered), sorted(calls[text]), strict=False
        ):
            if sent <= started <= answered:
                own.append((answered - sent) - (finished - started))
                parse.append(finished - started)
            else:
                unmatched += 1
        unmatched += max(0, len(sent_answered) - len(calls[text]))
    return own, parse, unmatched


async def rasa_direct(url: str, count: int, concurrency: int) -> tuple[float, list[float]]:
    """Rasa's own /model/parse throughput and latencies: direct httpx calls, same texts."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as http:

        async def one(i: int) -> None:
            async with gate:
                started = time.perf_counter()
                response = await http.post("/model/parse", json={"text": FACTUAL[i % 8]})
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return count / (time.perf_counter() - started), latencies


async def redis_sample(b: Bench, chat: int, messages: int) -> int:
    """MEMORY USAGE of one conversation's own keys (chat, conversation, transcript, profile,
    its update de-duplication markers)."""
    prefix = "tandem"
    conv = await b.redis.get(f"{prefix}:chat:{chat}")
    keys = [f"{prefix}:chat:{chat}", f"{prefix}:customer:{chat}"]
    if conv is not None:
        keys += [f"{prefix}:conv:{conv.decode()}", f"{prefix}:log:{conv.decode()}"]
    total = 0
    for key in keys:
        total += int(await b.redis.memory_usage(key) or 0)
    seen = [k async for k in b.redis.scan_iter(match=f"{prefix}:seen:tg:*", count=1000)][:50]
    per_seen = [int(await b.redis.memory_usage(k) or 0) for k in seen]
    return total + (int(statistics.mean(per_seen)) * messages if per_seen else 0)


async def main(customers: int, messages: int, concurrency: int) -> None:
    all_plans = plans(customers, messages)
    res = Results()
    async with running(rate_limit=max(1000, messages)) as b:
        used_before = int((await b.redis.info("memory"))["used_memory"])
        started = time.perf_counter()
        await run_all(b, all_plans, concurrency, res)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(2.0)  # late duplicates would arrive now
        check_duplicates(b, all_plans, res)
        hwm, rss = peak_rss_mb()
        used_after = int((await b.redis.info("memory"))["used_memory"])
        conversations = int(await b.redis.zcard("tandem:convs"))
        twenty = next(p for p in all_plans if set(p.kinds) == {Kind.FACTUAL})
        sample = await redis_sample(b, twenty.chat, len(twenty.kinds))
        rasa_rate, rasa_lat = await rasa_direct(b.rasa_url, min(messages, 4000), concurrency)

    rate = res.sent / elapsed
    own, parse, unmatched = own_times(res, b.parses)
    own50, _, own99 = _pcts(own)
    per_conv = (used_after - used_before) / max(conversations, 1)
    print(f"\nTandem load: {customers} customers, {res.sent} messages, {concurrency} in flight")
    print(f"  wall time {elapsed:.1f} s   throughput {rate:.1f} messages/s")
    print(_line("customer message → bot answer", [a - s for _, s, a in res.answers]))
    print(_line("upset message → holding message", res.handoffs))
    print(_line("upset message → card in Slack", res.cards))
    print(_line("handed-off message → its thread", res.thread_posts))
    print(_line("employee reply → customer", res.deliveries))
    print(_line("worker's Rasa parse (client side)", parse))
    print(_line("Tandem's own time (answer − parse)", own))
    print(f"    ({len(own)} answers paired with their parse, {unmatched} not paired)")
    print(_line("Rasa /model/parse, direct", rasa_lat))
    print(f"  Rasa direct throughput {rasa_rate:.1f} parses/s ({len(rasa_lat)} calls)")
    print(f"  process RSS: peak {hwm:.0f} MB, now {rss:.0f} MB (worker + fakes + load)")
    print(
        f"  Redis: {used_after - used_before:,} B for {conversations} conversations = "
        f"{per_conv:,.0f} B each; one {len(twenty.kinds)}-message conversation's keys "
        f"(MEMORY USAGE) {sample:,} B"
    )
    print(f"  employee replies sent {res.employee_replies}, delivered {len(res.deliveries)}")
    print(f"  lost {len(res.lost)}   duplicated {len(res.duplicated)}")
    for problem in (res.lost + res.duplicated)[:10]:
        print(f"    {problem}")
    print("\nTargets")
    print(f"  own time p50 {own50:.1f} ms ≤ 5 ms: {_verdict(own50 <= 5)}")
    print(f"  own time p99 {own99:.1f} ms ≤ 25 ms: {_verdict(own99 <= 25)}")
    ratio = rate / rasa_rate
    print(f"  throughput {ratio:.2f}× Rasa's ≥ 0.9×: {_verdict(ratio >= 0.9)}")
    print(f"  process peak RSS {hwm:.0f} MB ≤ 200 MB: {_verdict(hwm <= 200)}")
    per_twenty = sample * 20 / max(len(twenty.kinds), 1)
    print(f"  Redis per 20-message conversation {per_twenty / 1024:.1f} KB (sampled keys), "
          f"{per_conv / 1024:.1f} KB (whole-DB delta) ≤ 10 KB: "
          f"{_verdict(max(per_twenty, per_conv) <= 10 * 1024)}")
    print(f"  lost 0: {_verdict(not res.lost)}   duplicated 0: {_verdict(not res.duplicated)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.customers, args.messages, args.concurrency))

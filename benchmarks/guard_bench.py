"""The reply guard's cost and its false alarms.

- added latency for a clean reply: what an owner's reply waits for before it is sent
  (``is_terse`` + ``check``; a clean reply of more than one word needs no Redis lookup),
  median and p99 over every reply in tests/data/employee_replies.yml, repeated;
- the false-alarm rate: the share of those ordinary, correct replies the guard holds.

  python -m benchmarks.guard_bench [--calls 5000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import yaml

from handoff.guard.check import ReplyGuard, describe
from handoff.guard.words import Lexicon
from nlu.project import PROJECT_ROOT

REPLIES = PROJECT_ROOT / "tests" / "data" / "employee_replies.yml"


def main(calls: int) -> None:
    started = time.perf_counter()
    guard = ReplyGuard(Lexicon.from_dir(PROJECT_ROOT / "data"))
    loaded = time.perf_counter() - started
    replies: list[str] = yaml.safe_load(REPLIES.read_text())["replies"]

    held = {text: found for text in replies if (found := guard.check(text))}
    clean = [text for text in replies if text not in held]
    samples: list[float] = []
    for i in range(calls):
        text = clean[i % len(clean)]
        start = time.perf_counter()
        if not guard.check(text, customer_upset=guard.is_terse(text)):
            samples.append(time.perf_counter() - start)

    ms = sorted(s * 1000 for s in samples)
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98]
    print(f"guard start-up (dictionary, data words)  {loaded * 1000:7.1f} ms")
    print(
        f"added latency, clean reply   n={len(ms):<5} median {statistics.median(ms):6.3f} ms"
        f"   p99 {p99:6.3f} ms   max {ms[-1]:6.3f} ms"
    )
    rate = len(held) / len(replies)
    print(f"false alarms   {len(held)} of {len(replies)} ordinary replies ({rate:.1%})")
    for text, found in held.items():
        print(f"  held: {text!r}: {'; '.join(describe(found))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000, help="checks to time (at least 1000)")
    args = parser.parse_args()
    main(max(args.calls, 1000))

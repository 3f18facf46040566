#!/usr/bin/env python3
"""Measure a running Rasa NLU server on the held-out triage set.

Usage:
    python nlu/evaluation/heldout.py [--url http://localhost:5005] \
        [--cases tests/data/triage_eval.yml] [--threshold 0.6] [--margin 0.15] \
        [--latency 200] [--json OUT.json] [--show-misses]

Stdlib + PyYAML only (runs under the Rasa env or the bot env).  The server must
run with ``rasa run --enable-api``.  For each case it POSTs /model/parse and
replays the hand-off rules the triage code applies, stage by stage:

  A  intent     : hand off if the top intent is not a factual intent
  B  +sentiment : ... or sentiment.label == "negative"
  C  +confidence: ... or confidence < THRESHOLD or margin to runner-up < MARGIN
  D  +two-asks  : ... or the message holds two questions (rough heuristic here;
                  the triage code has its own check)

A factual case counts as "answered right" if it is NOT handed off and the top
intent is the expected one; "answered wrong" if not handed off with another
intent.  Hand-off cases (emotional/sensitive/complex/human_request) count as
"caught" if handed off.  Smalltalk cases are reported separately.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

# The same intent sets the triage uses (the repo root is on the path when run as a script).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nlu.facts.intents import FACTUAL_INTENTS
from nlu.triage.policy import SMALLTALK_INTENTS

STAGES = ["A_intent", "B_sentiment", "C_confidence", "D_two_asks"]

_TWO_ASKS = re.compile(
    r"\b(and|also|plus)\s+(also\s+)?(do|does|can|could|is|are|what|whats|what's|"
    r"where|when|how|will|would|r|any)\b",
    re.IGNORECASE,
)


def two_asks(text: str) -> bool:
    """Rough stand-in for the triage's own two-question check."""
    if text.count("?") >= 2 and re.search(r"\?[^?]*\w[^?]*\?", text):
        return True
    return bool(_TWO_ASKS.search(text))


def parse(url: str, text: str) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    req = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url.rstrip("/") + "/model/parse",
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
        data: dict[str, Any] = json.loads(resp.read().decode("utf-8"))
    return data


def handoff_reasons(
    result: dict[str, Any], text: str, threshold: float, margin: float
) -> dict[str, bool]:
    intent = (result.get("intent") or {}).get("name")
    conf = float((result.get("intent") or {}).get("confidence") or 0.0)
    ranking = result.get("intent_ranking") or []
    second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    label = (result.get("sentiment") or {}).get("label")
    return {
        "A_intent": intent not in FACTUAL_INTENTS,
        "B_sentiment": label == "negative",
        "C_confidence": conf < threshold or (conf - second) < margin,
        "D_two_asks": two_asks(text),
    }


def handed_off(reasons: dict[str, bool], stage: str) -> bool:
    upto = STAGES[: STAGES.index(stage) + 1]
    return any(reasons[s] for s in upto)


def pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100.0 * n / d:.1f}%" if d else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://localhost:5005")
    ap.add_argument("--cases", default="tests/data/triage_eval.yml")
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--margin", type=float, default=0.15)
    ap.add_argument(
        "--latency",
        type=int,
        default=200,
        help="number of parses for the latency figures (0 = skip)",
    )
    ap.add_argument("--json", help="write per-case results here")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)

    with open(args.cases, encoding="utf-8") as fh:
        cases = yaml.safe_load(fh)["cases"]

    rows = []
    for case in cases:
        res = parse(args.url, case["text"])
        reasons = handoff_reasons(res, case["text"], args.threshold, args.margin)
        ranking = res.get("intent_ranking") or []
        rows.append(
            {
                **case,
                "got_intent": (res.get("intent") or {}).get("name"),
                "confidence": round(float((res.get("intent") or {}).get("confidence") or 0), 3),
                "second": round(float(ranking[1]["confidence"]), 3) if len(ranking) > 1 else 0.0,
                "sentiment": res.get("sentiment"),
                "entities": [(e.get("entity"), e.get("value")) for e in res.get("entities", [])],
                "reasons": reasons,
            }
        )

    out: dict[str, Any] = {
        "n_cases": len(rows),
        "threshold": args.threshold,
        "margin": args.margin,
        "stages": {},
    }
    factual = [r for r in rows if r["category"] == "factual"]
    emo = [r for r in rows if r["category"] in ("emotional", "sensitive")]
    cplx = [r for r in rows if r["category"] in ("complex", "human_request")]
    small = [r for r in rows if r["category"] == "smalltalk"]

    top1 = sum(r["got_intent"] == r["intent"] for r in factual)
    print(
        f"cases: {len(rows)}  (factual {len(factual)}, emotional+sensitive {len(emo)}, "
        f"complex+human_request {len(cplx)}, smalltalk {len(small)})"
    )
    print(f"factual top-1 intent accuracy (no triage rules): {pct(top1, len(factual))}")
    out["factual_top1"] = top1 / max(len(factual), 1)

    print(
        f"\n{'stage':<14}{'factual right':>20}{'factual wrong':>18}"
        f"{'emo+sens caught':>20}{'cplx+human caught':>22}"
    )
    for stage in STAGES:
        right = sum(
            not handed_off(r["reasons"], stage) and r["got_intent"] == r["intent"] for r in factual
        )
        wrong = sum(
            not handed_off(r["reasons"], stage) and r["got_intent"] != r["intent"] for r in factual
        )
        emo_c = sum(handed_off(r["reasons"], stage) for r in emo)
        cplx_c = sum(handed_off(r["reasons"], stage) for r in cplx)
        out["stages"][stage] = {
            "factual_right": right / max(len(factual), 1),
            "factual_wrong": wrong / max(len(factual), 1),
            "emo_sens_caught": emo_c / max(len(emo), 1),
            "complex_human_caught": cplx_c / max(len(cplx), 1),
        }
        print(
            f"{stage:<14}{pct(right, len(factual)):>20}{pct(wrong, len(factual)):>18}"
            f"{pct(emo_c, len(emo)):>20}{pct(cplx_c, len(cplx)):>22}"
        )

    st_ok = sum(
        r["got_intent"] in SMALLTALK_INTENTS and (r["sentiment"] or {}).get("label") != "negative"
        for r in small
    )
    print(f"\nsmalltalk recognised (greet/thanks/goodbye, not negative): {pct(st_ok, len(small))}")
    neg_factual = sum((r["sentiment"] or {}).get("label") == "negative" for r in factual)
    print(f"factual cases with a negative sentiment label: {pct(neg_factual, len(factual))}")
    emo_neg = sum((r["sentiment"] or {}).get("label") == "negative" for r in emo)
    print(f"emotional+sensitive with a negative sentiment label: {pct(emo_neg, len(emo))}")

    # per-intent accuracy on factual cases
    print("\nper factual intent (top-1 / answered right at stage C):")
    for intent in sorted(FACTUAL_INTENTS):
        sub = [r for r in factual if r["intent"] == intent]
        t1 = sum(r["got_intent"] == intent for r in sub)
        ok = sum(
            r["got_intent"] == intent and not handed_off(r["reasons"], "C_confidence") for r in sub
        )
        print(f"  {intent:<20} {t1}/{len(sub)}  {ok}/{len(sub)}")

    if args.show_misses:
        print("\nmisses at stage C (what the model alone does):")
        for r in rows:
            ho = handed_off(r["reasons"], "C_confidence")
            if r["category"] == "factual":
                bad = ho or r["got_intent"] != r["intent"]
            elif r["category"] == "smalltalk":
                bad = r["got_intent"] not in SMALLTALK_INTENTS
            else:
                bad = not ho
            if bad:
                s = r["sentiment"] or {}
                print(
                    f"  [{r['category']}] {r['text']!r} -> {r['got_intent']} "
                    f"{r['confidence']:.2f}/{r['second']:.2f} sent={s.get('label')} "
                    f"{s.get('compound')} want={r.get('intent', r['route'])}"
                )

    if args.latency > 0:
        texts = [c["text"] for c in cases]
        lat = []
        for i in range(args.latency):
            t0 = time.perf_counter()
            parse(args.url, texts[i % len(texts)])
            lat.append((time.perf_counter() - t0) * 1000.0)
        lat.sort()
        p99 = lat[min(len(lat) - 1, round(0.99 * len(lat)) - 1)]
        out["latency_ms"] = {
            "n": len(lat),
            "median": statistics.median(lat),
            "p99": p99,
            "max": lat[-1],
        }
        print(
            f"\nlatency over {len(lat)} parses: median {statistics.median(lat):.1f} ms, "
            f"p99 {p99:.1f} ms, max {lat[-1]:.1f} ms"
        )

    if args.json:
        out["cases"] = rows
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

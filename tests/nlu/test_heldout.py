"""The held-out evaluation set (tests/data/triage_eval.yml, never trained on) through the
real Rasa server and the worker's own triage, against the product's bars."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.settings import Settings
from bot.triage_command import Triage, outcome_of
from nlu.evaluation.scoring import load_cases, summarise
from nlu.project import PROJECT_ROOT
from nlu.rasa.client import RasaClient

pytestmark = pytest.mark.rasa

CASES = PROJECT_ROOT / "tests" / "data" / "triage_eval.yml"
# A fixed day, so facts reaching their review date do not change the result.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/Detroit"))


@pytest_asyncio.fixture(loop_scope="session")
async def triage(rasa_url: str) -> AsyncIterator[Triage]:
    rasa = RasaClient(rasa_url)
    yield Triage(Settings(_env_file=None), rasa)  # type: ignore[call-arg]
    await rasa.aclose()


async def test_heldout_set_meets_the_bars(triage: Triage) -> None:
    cases = load_cases(CASES)
    assert len(cases) >= 150
    outcomes = []
    for case in cases:
        reply = await triage.run(case.text, now=NOW)
        outcomes.append(outcome_of(case, reply))
    summary = summarise(outcomes)
    print(json.dumps(summary, indent=2))
    misses = [
        f"{o.case.category}: {o.case.text!r} → {o.route} {o.intent}"
        for o in outcomes
        if (o.case.route == "handoff" and not o.handed_off)
        or o.wrong_answer
        or (o.case.route == "answer" and not (o.correct_answer or o.withheld_stale))
    ]
    print("\n".join(misses))
    assert summary["handoff_recall_emotional_sensitive"] >= 0.97
    assert summary["handoff_recall_complex_human"] >= 0.90
    # data/answers.yml ships one deliberately expired fact (Riverside's ask_services), so
    # some factual questions are rightly withheld and handed off; those count as right
    # when the intent was understood. The plain answered share is printed above.
    assert summary["factual_right_intent_or_withheld_stale"] >= 0.85
    assert summary["wrong_answer_rate_of_factual"] <= 0.02

"""``tandem triage`` from the shell: JSON out, clear errors for a bad cases file."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.rasa


async def _triage(rasa_url: str, *args: str) -> tuple[int, str, str]:
    env = dict(os.environ, RASA_URL=rasa_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "triage",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_one_text_prints_the_decision(rasa_url: str) -> None:
    code, out, _ = await _triage(rasa_url, "hrs at riverside sat?", "--name", "Alex")
    assert code == 0
    decision = json.loads(out)
    assert set(decision) == {"route", "intent", "confidence", "reason", "sentiment", "answer"}
    assert (decision["route"], decision["intent"]) == ("answer", "ask_hours")
    assert "Riverside" in decision["answer"]
    assert "Alex" in decision["answer"]


async def test_an_upset_text_is_a_handoff_without_an_answer(rasa_url: str) -> None:
    code, out, _ = await _triage(rasa_url, "I'm furious, you charged me twice!!")
    decision = json.loads(out)
    assert (code, decision["route"], decision["answer"]) == (0, "handoff", None)


async def test_a_cases_file_prints_a_line_per_case_and_a_summary(
    rasa_url: str, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.yml"
    cases.write_text(
        "cases:\n"
        "  - {text: 'where is the northgate store?', route: answer, intent: ask_location,"
        " category: factual}\n"
        "  - {text: 'my father died and I need help with his account', route: handoff,"
        " category: sensitive}\n"
    )
    code, out, _ = await _triage(rasa_url, "--file", str(cases))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["route"] for line in lines[:2]] == ["answer", "handoff"]
    summary = lines[2]["summary"]
    assert summary["cases"] == 2
    assert summary["factual_answered_right_intent"] == 1.0
    assert summary["handoff_recall_emotional_sensitive"] == 1.0


async def test_now_fixes_the_clock_for_the_day_asked(rasa_url: str) -> None:
    code, out, _ = await _triage(
        rasa_url, "is riverside open tomorrow?", "--now", "2026-12-24T10:00:00-05:00"
    )
    decision = json.loads(out)
    assert (code, decision["route"], decision["intent"]) == (0, "answer", "ask_hours")
    assert decision["answer"].startswith(
        "Hi there, tomorrow (Friday, December 25 (Christmas Day)) Riverside is closed."
    )


async def test_a_case_brings_its_store_clock_and_history(rasa_url: str, tmp_path: Path) -> None:
    cases = tmp_path / "cases.yml"
    cases.write_text(
        "cases:\n"
        "  - text: 'and the day after?'\n"
        "    route: answer\n"
        "    intent: ask_hours\n"
        "    now: '2026-11-20T10:00:00-05:00'\n"
        "    history: ['Is Riverside open on Christmas Day?']\n"
        "  - {text: 'what are your hours today?', route: answer, intent: ask_hours,"
        " store: northgate, now: '2026-12-06T12:00:00-05:00', language: en}\n"
    )
    code, out, _ = await _triage(rasa_url, "--file", str(cases))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert set(lines[0]) == {
        "text", "expected", "route", "intent", "confidence", "reason", "sentiment", "answer"
    }  # fmt: skip
    assert lines[0]["answer"] == "On Saturday, December 26 Riverside is open 7 am–8 pm."
    assert lines[1]["answer"] == "Hi there, today (Sunday, December 6) Northgate is open 9 am–6 pm."


async def test_a_bad_now_or_store_is_one_clear_line(rasa_url: str, tmp_path: Path) -> None:
    code, _, err = await _triage(rasa_url, "hours?", "--now", "2026-12-24T10:00")
    assert code == 2
    assert "has no UTC offset" in err
    cases = tmp_path / "cases.yml"
    cases.write_text("cases:\n  - {text: 'hours?', route: answer, store: uptown}\n")
    code, _, err = await _triage(rasa_url, "--file", str(cases))
    assert code == 2
    assert "cases.0.store: unknown store 'uptown'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("cases: [", "not valid YAML"),
        ("cases: []", "cases: List should have at least 1 item"),
        ("cases:\n  - {text: hi, route: maybe}", "cases.0.route"),
        ("nothing: here", "cases: Field required"),
        ("cases:\n  - {text: hi, route: answer, now: '2026-12-24 10:00'}", "cases.0.now"),
        ("cases:\n  - {text: hi, route: answer, history: ['']}", "cases.0.history.0"),
    ],
)
async def test_a_bad_cases_file_is_one_clear_line(
    rasa_url: str, tmp_path: Path, content: str, message: str
) -> None:
    cases = tmp_path / "cases.yml"
    cases.write_text(content)
    code, out, err = await _triage(rasa_url, "--file", str(cases))
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


async def test_a_missing_cases_file_is_one_clear_line(rasa_url: str, tmp_path: Path) -> None:
    code, _, err = await _triage(rasa_url, "--file", str(tmp_path / "nope.yml"))
    assert code == 2
    assert "cannot read the cases file" in err

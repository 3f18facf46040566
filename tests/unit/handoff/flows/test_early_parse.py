"""A message's parse run alongside its first read (handoff/flows/early_parse.py): where it is
made, how it stops when the read shows it is not needed, and how its time counts against
the message."""

from __future__ import annotations

import asyncio
import time

import pytest

from handoff.errors import RedisUnavailable
from handoff.flows.early_parse import EarlyParses
from handoff.metrics import Metrics, timed_message
from nlu.errors import NluUnavailable
from nlu.rasa.result import NluResult
from nlu.rasa.timing import note_parse


class SlowNlu:
    """Answers each parse after `seconds`, or fails it; notes its time against the message
    as RasaClient does (answered or failed, not when stopped half-way)."""

    def __init__(self, seconds: float = 0.05, *, fails: bool = False) -> None:
        self.seconds = seconds
        self.fails = fails
        self.asked: list[str] = []
        self.finished = 0

    async def parse(self, text: str) -> NluResult:
        self.asked.append(text)
        started = time.perf_counter()
        await asyncio.sleep(self.seconds)
        self.finished += 1
        note_parse(time.perf_counter() - started)
        if self.fails:
            raise NluUnavailable("Rasa did not answer")
        return NluResult.from_rasa(
            {"text": text, "intent": {"name": "hours", "confidence": 0.9}, "intent_ranking": []}
        )


async def read_after(seconds: float, value: str = "bot") -> str:
    """A first read that finds `value` ("bot": the bot answers; "person": it does not)."""
    await asyncio.sleep(seconds)
    if value == "redis down":
        raise RedisUnavailable("Redis does not answer")
    return value


def bot_answers(value: str) -> bool:
    return value == "bot"


class Flow:
    """A handler shaped like CustomerFlow.on_message, timed the same way."""

    def __init__(self, parses: EarlyParses, metrics: Metrics) -> None:
        self.parses = parses
        self.ctx = self
        self.metrics = metrics

    @timed_message
    async def on_message(self, first_read_seconds: float) -> NluResult:
        read = read_after(first_read_seconds)
        value, parsed = await self.parses.alongside(read, "when do you open?", bot_answers)
        assert value == "bot"
        return await self.parses.parse(parsed, "when do you open?")


def own_seconds(metrics: Metrics) -> float:
    sample = metrics.registry.get_sample_value(
        "tandem_customer_message_own_seconds_sum", {"nlu": "parsed"}
    )
    return float(sample or 0.0)


def test_a_new_chat_is_parsed_early_and_a_persons_chat_is_not() -> None:
    parses = EarlyParses(SlowNlu())
    assert parses.worth("7", "hello", media=False)
    parses.note("7", bot_answers=False)  # a person has the chat now
    assert not parses.worth("7", "are you there?", media=False)
    parses.note("7", bot_answers=True)  # handed back to the bot
    assert parses.worth("7", "thanks", media=False)
    assert not parses.worth("8", "", media=False)  # nothing to parse
    assert not parses.worth("8", "caption", media=True)  # a file goes to a person


async def test_the_parse_stops_when_the_read_shows_a_person_has_the_chat() -> None:
    nlu, outcomes = SlowNlu(seconds=5.0), list[str]()
    parses = EarlyParses(nlu, counted=outcomes.append)
    started = time.monotonic()
    value, parsed = await parses.alongside(read_after(0.01, "person"), "order late", bot_answers)
    assert time.monotonic() - started < 1.0  # not the parse's 5 s
    assert (value, parsed) == ("person", None)
    assert outcomes == ["dropped"]
    assert nlu.asked == ["order late"]
    assert nlu.finished == 0


async def test_a_parse_quicker_than_an_unneeding_read_is_dropped_too() -> None:
    outcomes: list[str] = []
    parses = EarlyParses(SlowNlu(seconds=0.0), counted=outcomes.append)
    value, parsed = await parses.alongside(read_after(0.05, "person"), "hi", bot_answers)
    assert (value, parsed) == ("person", None)
    assert outcomes == ["dropped"]


async def test_a_failed_read_stops_the_parse_and_is_raised() -> None:
    parses = EarlyParses(SlowNlu(seconds=5.0))
    started = time.monotonic()
    with pytest.raises(RedisUnavailable):
        await parses.alongside(read_after(0.01, "redis down"), "hi", bot_answers)
    assert time.monotonic() - started < 1.0


async def test_rasa_failing_is_kept_for_the_message_to_hand_off() -> None:
    outcomes: list[str] = []
    parses = EarlyParses(SlowNlu(fails=True), counted=outcomes.append)
    value, parsed = await parses.alongside(read_after(0.01), "hi", bot_answers)
    assert value == "bot"
    assert isinstance(parsed, NluUnavailable)
    with pytest.raises(NluUnavailable):
        await parses.parse(parsed, "hi")
    assert outcomes == ["used"]


async def test_a_wrong_guess_parses_late() -> None:
    nlu, outcomes = SlowNlu(seconds=0.0), list[str]()
    parses = EarlyParses(nlu, counted=outcomes.append)
    result = await parses.parse(None, "hours?")
    assert result.intent == "hours"
    assert outcomes == ["late"]
    assert nlu.asked == ["hours?"]


async def test_a_cancelled_message_leaves_no_read_behind() -> None:
    parses = EarlyParses(SlowNlu(seconds=5.0))
    reading = asyncio.ensure_future(read_after(5.0))
    message = asyncio.ensure_future(parses.alongside(reading, "hi", bot_answers))
    await asyncio.sleep(0.01)
    message.cancel()
    with pytest.raises(asyncio.CancelledError):
        await message
    assert reading.cancelled()


async def test_own_time_is_what_the_message_took_beyond_its_parse() -> None:
    """A 300 ms parse with a 100 ms first read alongside: the message takes ~300 ms, and
    its own time is ~0, not the read's 100 ms; with the read longer than the parse, the
    difference (~150 ms) is its own."""
    metrics = Metrics()
    flow = Flow(EarlyParses(SlowNlu(seconds=0.3)), metrics)
    await flow.on_message(0.1)
    hidden = own_seconds(metrics)
    assert hidden < 0.08
    await flow.on_message(0.45)
    assert 0.12 < own_seconds(metrics) - hidden < 0.4
    # Both parses are Rasa's time, under the name dashboards and `make bench` read.
    parses = metrics.registry.get_sample_value("tandem_rasa_parse_seconds_count")
    assert parses == 2

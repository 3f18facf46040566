"""A message's parse begun with its first read (handoff/early_parse.py): where it starts,
what is done with a parse nobody needs, and how its time counts against the message."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import NluUnavailable
from bot.metrics import Metrics, timed_message
from handoff.early_parse import EarlyParses
from nlu.result import NluResult


class SlowNlu:
    """Answers each parse after `seconds`, or fails it; counts what it was asked."""

    def __init__(self, seconds: float = 0.05, *, fails: bool = False) -> None:
        self.seconds = seconds
        self.fails = fails
        self.asked: list[str] = []
        self.finished = 0

    async def parse(self, text: str) -> NluResult:
        self.asked.append(text)
        await asyncio.sleep(self.seconds)
        self.finished += 1
        if self.fails:
            raise NluUnavailable("Rasa did not answer")
        return NluResult.from_rasa(
            {"text": text, "intent": {"name": "hours", "confidence": 0.9}, "intent_ranking": []}
        )


class Flow:
    """A handler shaped like CustomerFlow.on_message, timed the same way."""

    def __init__(self, parses: EarlyParses, metrics: Metrics) -> None:
        self.parses = parses
        self.ctx = self
        self.metrics = metrics

    @timed_message
    async def on_message(self, first_read_seconds: float) -> NluResult:
        early = self.parses.start(1, "when do you open?", media=False)
        try:
            await asyncio.sleep(first_read_seconds)  # the first read, under way meanwhile
            return await self.parses.parse(early, "when do you open?")
        finally:
            self.parses.done(early)


def own_seconds(metrics: Metrics) -> float:
    return float(
        metrics.registry.get_sample_value(
            "tandem_customer_message_own_seconds_sum", {"nlu": "parsed"}
        )
        or 0.0
    )


async def test_a_new_chat_is_parsed_early_and_a_persons_chat_is_not() -> None:
    parses = EarlyParses(SlowNlu())
    first = parses.start(7, "hello", media=False)
    assert first is not None
    parses.done(first)
    parses.note(7, bot_answers=False)  # a person has the chat now
    assert parses.start(7, "are you there?", media=False) is None
    parses.note(7, bot_answers=True)  # handed back to the bot
    later = parses.start(7, "thanks", media=False)
    assert later is not None
    parses.done(later)
    assert parses.start(8, "", media=False) is None  # nothing to parse
    assert parses.start(8, "caption", media=True) is None  # a file goes to a person


async def test_an_unneeded_parse_is_dropped_and_counted() -> None:
    nlu, outcomes = SlowNlu(seconds=5.0), list[str]()
    parses = EarlyParses(nlu, counted=outcomes.append)
    early = parses.start(1, "my order is late", media=False)
    await asyncio.sleep(0)
    parses.done(early)  # the read found a person in charge
    await asyncio.sleep(0)
    assert outcomes == ["dropped"]
    assert nlu.asked == ["my order is late"]
    assert nlu.finished == 0


async def test_an_unneeded_failed_parse_leaves_no_unretrieved_error() -> None:
    nlu, outcomes = SlowNlu(seconds=0.0, fails=True), list[str]()
    parses = EarlyParses(nlu, counted=outcomes.append)
    early = parses.start(1, "hi", media=False)
    await asyncio.sleep(0.01)  # over before the message looked at it
    parses.done(early)
    assert outcomes == []  # Rasa's work was not wasted: it was already over
    # (pytest's warnings-as-errors would fail the test on "exception was never retrieved")


async def test_the_parse_used_raises_what_rasa_raised() -> None:
    parses = EarlyParses(SlowNlu(fails=True))
    early = parses.start(1, "hi", media=False)
    with pytest.raises(NluUnavailable):
        await parses.parse(early, "hi")
    parses.done(early)


async def test_a_wrong_guess_parses_late() -> None:
    nlu, outcomes = SlowNlu(seconds=0.0), list[str]()
    parses = EarlyParses(nlu, counted=outcomes.append)
    parses.note(3, bot_answers=False)
    early = parses.start(3, "hours?", media=False)
    result = await parses.parse(early, "hours?")
    assert result.intent == "hours"
    assert outcomes == ["late"]
    assert nlu.asked == ["hours?"]


async def test_own_time_is_what_the_message_took_beyond_its_parse() -> None:
    """A 300 ms parse with a 100 ms first read under it: the message takes ~300 ms, and
    its own time is ~0, not the read's 100 ms; with the read longer than the parse, the
    difference (~150 ms) is its own."""
    metrics = Metrics()
    flow = Flow(EarlyParses(SlowNlu(seconds=0.3)), metrics)
    await flow.on_message(0.1)
    hidden = own_seconds(metrics)
    assert hidden < 0.08
    await flow.on_message(0.45)
    assert 0.12 < own_seconds(metrics) - hidden < 0.4

"""A send Telegram refuses for good: named by reason (bot/telegram/outbox.py), given up by
the pump, which tells its listeners (handoff/queues/pump.py), on a real Valkey."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TimedOut

from bot.telegram.outbox import classify, refusal_listener
from handoff.core.refusals import Refusal
from handoff.flows.refusals import Refusals
from handoff.queues.lanes import Job, Lanes
from handoff.queues.pump import Backoff, GiveUp, LanePump, RetryLater


@pytest.mark.parametrize(
    ("error", "file", "refusal"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), False, "blocked"),
        (Forbidden("Forbidden: user is deactivated"), False, "deactivated"),
        (BadRequest("Bad Request: chat not found"), False, "chat_not_found"),
        (ChatMigrated(-100123), False, "chat_not_found"),
        (BadRequest("Bad Request: message is too long"), False, "too_long"),
        (BadRequest("Bad Request: message text is empty"), False, "empty"),
        (BadRequest("Bad Request: PHOTO_INVALID_DIMENSIONS"), True, "file_refused"),
        (BadRequest("Bad Request: message caption is too long"), True, "file_refused"),
        (BadRequest("Bad Request: can't parse entities"), False, "refused"),
        (NetworkError("Request Entity Too Large"), True, "file_too_large"),
    ],
)
def test_a_refusal_is_given_up_with_its_reason(error: Exception, file: bool, refusal: str) -> None:
    verdict = classify(error, file=file)
    assert isinstance(verdict, GiveUp)
    assert verdict.refusal == refusal


def test_passing_failures_are_not_refusals() -> None:
    assert isinstance(classify(TimedOut()), RetryLater)
    assert isinstance(classify(NetworkError("Bad Gateway")), RetryLater)


class _Recorded(Refusals):
    """The flow's entry point, recording instead of telling (the e2e tests tell for real)."""

    def __init__(self) -> None:
        self.told: list[tuple[str, Refusal]] = []

    async def refused(self, chat_id: str, refusal: Refusal) -> None:
        self.told.append((chat_id, refusal))


async def test_the_pump_tells_its_listeners_of_each_refused_job(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="refusals", name="out")
    recorded = _Recorded()
    sent: list[str] = []

    async def sender(job: Job) -> None:
        if job.body["chat_id"] == 7:
            raise classify(Forbidden("Forbidden: bot was blocked by the user"))
        if job.body["kind"] == "bug":
            raise GiveUp("malformed job")  # given up, but nobody refused anything
        sent.append(job.body["html"])

    html = "<b>Aisha</b> · Riverside\nYour order &amp; receipt are ready"
    await lanes.put("tg:7", {"kind": "text", "chat_id": 7, "html": html}, now=time.time())
    await lanes.put("tg:8", {"kind": "bug", "chat_id": 8}, now=time.time())
    await lanes.put("tg:9", {"kind": "text", "chat_id": 9, "html": "fine"}, now=time.time())
    pump = LanePump(lanes, sender, name="outbox", poll_seconds=0.01, backoff=Backoff(0.05))
    pump.on_give_up(refusal_listener(recorded))
    async with pump.running():
        deadline = time.monotonic() + 10
        while not await pump.idle():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
    assert sent == ["fine"]
    [(chat, refusal)] = recorded.told
    assert chat == "7"
    words = "Your order & receipt are ready"  # as the customer reads it, unsigned
    assert refusal == Refusal("blocked", "a message", words)
    assert len(await lanes.dead()) == 2  # both buried all the same


async def test_a_failing_listener_does_not_stop_the_lane(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="refusals2", name="out")
    done: list[int] = []

    async def sender(job: Job) -> None:
        if job.body["n"] == 0:
            raise GiveUp("refused", refusal="blocked")
        done.append(job.body["n"])

    async def broken(job: Job, error: GiveUp) -> None:
        raise ConnectionError("Redis away")

    for n in range(2):
        await lanes.put("tg:1", {"n": n}, now=time.time())
    pump = LanePump(lanes, sender, name="outbox", poll_seconds=0.01)
    pump.on_give_up(broken)
    async with pump.running():
        deadline = time.monotonic() + 10
        while not await pump.idle():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
    assert done == [1]

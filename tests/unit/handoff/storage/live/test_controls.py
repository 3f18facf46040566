"""Pauses and notices in Redis: read in a caller's pipeline, written and dropped apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from handoff.storage.live.controls import ControlStore, PauseState, Stored
from handoff.storage.store import ConversationStore
from nlu.facts.answer_models import Notice

ENDS = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def _notice(notice_id: str) -> Notice:
    return Notice(
        id=notice_id,
        store="riverside",
        starts=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        ends=ENDS,
        text="Closed today.",
        intents=("ask_hours",),
    )


async def test_a_pause_is_stored_with_its_expiry_and_ended(redis: Redis) -> None:
    controls = ControlStore(ConversationStore(redis))
    pause = PauseState("riverside", "aisha-rahman", 100.0, 7300.0, "flooding")
    await controls.set_pause(pause, 7200)
    assert 7190 < await redis.ttl("tandem:pause:riverside") <= 7200

    stored = await controls.read(["all", "riverside", "downtown"])
    assert stored.pauses == [pause]
    await controls.end_pauses(["all", "riverside"])
    assert (await controls.read(["all", "riverside"])).pauses == []


async def test_notices_are_numbered_kept_dropped_and_expire_together(redis: Redis) -> None:
    controls = ControlStore(ConversationStore(redis))
    assert [await controls.next_notice_number() for _ in range(2)] == [1, 2]
    await controls.put_notice(_notice("slack-1"))
    await redis.hset("tandem:notices", "slack-0", "{not a notice")
    assert await controls.notices() == {"slack-1": _notice("slack-1"), "slack-0": None}

    await controls.expire_notices(60)
    assert 0 < await redis.ttl("tandem:notices") <= 60
    assert await controls.drop_notices("slack-0", "slack-9") == 1
    assert list(await controls.notices()) == ["slack-1"]


async def test_the_read_joins_the_callers_round_trip(redis: Redis) -> None:
    """Queued into a pipeline that runs once (a message's first), the value made by then."""
    controls = ControlStore(ConversationStore(redis))
    await controls.put_notice(_notice("slack-1"))
    seen: list[Stored] = []

    async def then(stored: Stored) -> int:
        seen.append(stored)
        return len(stored.notices)

    async with redis.pipeline(transaction=False) as pipe:
        pipe.incr("test:other-read")
        make = controls.reading(["all"], then)(pipe)
        replies: list[Any] = await pipe.execute()
    assert await make(replies[1:]) == 1
    assert seen == [Stored([], {"slack-1": _notice("slack-1")})]

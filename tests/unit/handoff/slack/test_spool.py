"""The Slack spool: events Redis could not take are kept on disk, answered 200, and moved
into the inbox's lanes when Redis is back: in order, once each, surviving a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from handoff.errors import HandoffConfigError
from handoff.queues.lanes import Lanes
from handoff.slack.inbox import SlackInbox
from handoff.slack.spool import UNREACHABLE, Spool, SpoolDrain
from nlu.rasa.local import free_port
from tests.redis_text import text

CHANNEL, THREAD = "C0STORE", "1700000000.000100"
LANE = f"slack:{CHANNEL}:{THREAD}"


def reply(n: int, *, thread: str = THREAD) -> dict[str, Any]:
    """An employee's thread reply as the Events API delivers it."""
    ts = f"1700000001.{n:06d}"
    return {
        "type": "event_callback",
        "event_id": f"Ev{n:04d}",
        "event": {
            "type": "message",
            "channel": CHANNEL,
            "user": "U0MARIA",
            "text": f"reply {n}",
            "ts": ts,
            "thread_ts": thread,
            "event_ts": ts,
        },
    }


async def lane_texts(redis: Redis, lanes: Lanes, lane: str = LANE) -> list[str]:
    ids = await redis.lrange(lanes.key("lane", lane), 0, -1)
    bodies = [json.loads(await redis.hget(lanes.key("job", text(i)), "body") or "{}") for i in ids]
    return [b["body"]["event"]["text"] for b in bodies]


@pytest_asyncio.fixture(loop_scope="session")
async def dead_redis() -> AsyncIterator[Redis]:
    """A client of a Redis that is not there: every command fails to connect."""
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    yield client
    await client.aclose()


@pytest.fixture
def spool(tmp_path: Path) -> Iterator[Spool]:
    made = Spool.in_dir(tmp_path / "state")
    yield made
    made.close()


async def passed() -> None:
    raise AssertionError("a message event must not reach bolt's listeners from the inbox")


async def keep(inbox: SlackInbox, body: dict[str, Any]) -> int:
    next_: Callable[[], Awaitable[None]] = passed
    response = await inbox.keep(body, next_)
    assert response is not None
    return response.status


async def test_spool_keeps_events_in_order_once_each_across_a_restart(tmp_path: Path) -> None:
    spool = Spool.in_dir(tmp_path)
    assert await spool.add(LANE, reply(1), "slack:Ev0001")
    assert await spool.add(LANE, reply(2), "slack:Ev0002")
    assert not await spool.add(LANE, reply(1), "slack:Ev0001")  # Slack's retry of it
    spool.close()

    again = Spool.in_dir(tmp_path)  # the worker started again: the file is the truth
    assert again.pending == 2
    rows = await again.oldest()
    assert [r.once for r in rows] == ["slack:Ev0001", "slack:Ev0002"]
    assert rows[0].body == reply(1)
    await again.remove(rows[0].seq)
    assert [r.once for r in await again.oldest()] == ["slack:Ev0002"]
    assert again.pending == 1
    again.close()


def test_an_unusable_state_dir_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(HandoffConfigError, match="STATE_DIR: cannot open the Slack spool"):
        Spool.in_dir(blocker / "state")


async def test_inbox_spools_when_redis_is_away_and_answers_200(
    dead_redis: Redis, spool: Spool
) -> None:
    inbox = SlackInbox(Lanes(dead_redis, prefix="tandem", name="in"), spool=spool)
    assert await keep(inbox, reply(1)) == 200
    assert await keep(inbox, reply(2)) == 200
    assert [r.body["body"]["event"]["text"] for r in await spool.oldest()] == [
        "reply 1",
        "reply 2",
    ]
    assert [r.lane for r in await spool.oldest()] == [LANE, LANE]


async def test_without_a_spool_the_request_fails_so_slack_retries(dead_redis: Redis) -> None:
    inbox = SlackInbox(Lanes(dead_redis, prefix="tandem", name="in"))
    with pytest.raises(UNREACHABLE):
        await keep(inbox, reply(1))


async def test_while_events_wait_in_the_spool_new_ones_queue_behind_them(
    redis: Redis, spool: Spool
) -> None:
    lanes = Lanes(redis, prefix="tandem", name="in")
    await spool.add(LANE, {"body": reply(1)}, "slack:Ev0001")  # from the outage
    inbox = SlackInbox(lanes, spool=spool)
    assert await keep(inbox, reply(2)) == 200  # Redis is back, but reply 1 is not in yet
    assert await lane_texts(redis, lanes) == []

    wakes: list[int] = []
    drain = SpoolDrain(spool, lanes, wake=lambda: wakes.append(1))
    assert await drain.drain_once() == 2
    assert await lane_texts(redis, lanes) == ["reply 1", "reply 2"]
    assert spool.pending == 0
    assert await spool.oldest() == []
    assert wakes == [1, 1]

    assert await keep(inbox, reply(3)) == 200  # spool empty: straight into the lane
    assert await lane_texts(redis, lanes) == ["reply 1", "reply 2", "reply 3"]


async def test_a_spooled_event_redis_had_taken_is_not_put_twice(redis: Redis, spool: Spool) -> None:
    """A put that timed out after Redis had taken the event: the lane's dedupe drops it."""
    lanes = Lanes(redis, prefix="tandem", name="in")
    inbox = SlackInbox(lanes, spool=spool)
    assert await keep(inbox, reply(1)) == 200
    await spool.add(LANE, {"body": reply(1)}, "slack:Ev0001")
    drain = SpoolDrain(spool, lanes)
    assert await drain.drain_once() == 1
    assert await lane_texts(redis, lanes) == ["reply 1"]
    assert spool.pending == 0


async def test_the_drain_keeps_rows_while_redis_is_away(dead_redis: Redis, spool: Spool) -> None:
    await spool.add(LANE, {"body": reply(1)}, "slack:Ev0001")
    drain = SpoolDrain(spool, Lanes(dead_redis, prefix="tandem", name="in"))
    with pytest.raises(UNREACHABLE):
        await drain.drain_once()
    assert spool.pending == 1
    assert [r.once for r in await spool.oldest()] == ["slack:Ev0001"]


async def test_the_running_drain_moves_events_once_redis_answers(
    redis: Redis, spool: Spool
) -> None:
    lanes = Lanes(redis, prefix="tandem", name="in")
    async with SpoolDrain(spool, lanes).running() as drain:
        for n in (1, 2, 3):
            await spool.add(LANE, {"body": reply(n)}, f"slack:Ev{n:04d}")
        for _ in range(100):
            if drain.moved == 3:
                break
            await _tick()
    assert await lane_texts(redis, lanes) == ["reply 1", "reply 2", "reply 3"]
    assert spool.pending == 0


async def _tick() -> None:
    await asyncio.sleep(0.05)

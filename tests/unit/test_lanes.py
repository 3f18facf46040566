"""The Redis lanes and their pump (handoff/lanes.py, handoff/lane_pump.py) on a real Valkey."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from redis.asyncio import Redis

from handoff.lane_pump import Backoff, GiveUp, LanePump, LaneRouter, RetryLater
from handoff.lanes import Job, Lanes

FAST = Backoff(first=0.05, most=0.2)


async def _drained(pump: LanePump, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not await pump.idle():
        assert time.monotonic() < deadline, "the lanes did not drain"
        await asyncio.sleep(0.01)


async def test_one_lanes_jobs_run_in_order_and_lanes_run_side_by_side(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t1", name="q")
    seen: list[tuple[str, int]] = []
    running = 0
    most = 0

    async def handler(job: Job) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        seen.append((job.lane, job.body["n"]))
        running -= 1

    for n in range(5):
        for lane in ("a", "b", "c"):
            await lanes.put(lane, {"n": n}, now=time.time())
    pump = LanePump(lanes, handler, name="q", poll_seconds=0.01)
    async with pump.running():
        await _drained(pump)
    for lane in ("a", "b", "c"):
        assert [n for name, n in seen if name == lane] == [0, 1, 2, 3, 4]
    assert most > 1  # different lanes did overlap
    assert await lanes.depth() == 0


async def test_two_workers_never_work_one_lane_at_once(redis: Redis) -> None:
    one, two = Lanes(redis, prefix="t2", name="q"), Lanes(redis, prefix="t2", name="q")
    seen: list[int] = []
    busy: set[str] = set()

    async def handler(job: Job) -> None:
        assert job.lane not in busy, "two workers on one lane"
        busy.add(job.lane)
        await asyncio.sleep(0.002)
        seen.append(job.body["n"])
        busy.discard(job.lane)

    for n in range(40):
        await one.put("chat", {"n": n}, now=time.time())
    pumps = [LanePump(x, handler, name="q", poll_seconds=0.001) for x in (one, two)]
    async with pumps[0].running(), pumps[1].running():
        await _drained(pumps[0])
        await _drained(pumps[1])
    assert seen == list(range(40))


async def test_a_passing_failure_holds_the_lane_and_honours_retry_after(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t3", name="q")
    tries: list[tuple[int, float]] = []

    async def handler(job: Job) -> None:
        tries.append((job.body["n"], time.monotonic()))
        if job.body["n"] == 0 and len(tries) < 3:
            raise RetryLater("down", retry_after=0.3)

    await lanes.put("chat", {"n": 0}, now=time.time())
    await lanes.put("chat", {"n": 1}, now=time.time())
    pump = LanePump(lanes, handler, name="q", poll_seconds=0.01, backoff=FAST)
    async with pump.running():
        await _drained(pump)
    assert [n for n, _ in tries] == [0, 0, 0, 1]  # the second job never overtook the first
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(tries)][:2]
    assert all(gap >= 0.29 for gap in gaps), gaps


async def test_a_hopeless_job_is_kept_as_dead_and_the_lane_goes_on(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t4", name="q")
    done: list[int] = []

    async def handler(job: Job) -> None:
        if job.body["n"] == 0:
            raise GiveUp("the customer blocked the bot")
        if job.body["n"] == 1:
            raise ValueError("a bug")
        done.append(job.body["n"])

    for n in range(3):
        await lanes.put("chat", {"n": n}, now=time.time())
    pump = LanePump(lanes, handler, name="q", poll_seconds=0.01, backoff=FAST)
    async with pump.running():
        await _drained(pump)
    assert done == [2]
    dead = await lanes.dead()
    assert {d["error"] for d in dead} == {
        "gave up: the customer blocked the bot",
        "ValueError: a bug",
    }


async def test_once_keys_refuse_a_redelivery_and_name_the_first_job(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t5", name="q")
    first = await lanes.put("chat", {"n": 1}, now=time.time(), once="update-7")
    again = await lanes.put("chat", {"n": 1}, now=time.time(), once="update-7")
    assert first.fresh
    assert not again.fresh
    assert again.job_id == first.job_id
    assert await lanes.waiting("chat") == 1


async def test_a_dead_workers_lane_is_taken_up_when_its_lease_runs_out(redis: Redis) -> None:
    dead_worker = Lanes(redis, prefix="t6", name="q", lease_seconds=0.5)
    await dead_worker.put("chat", {"n": 1}, now=time.time(), blob=b"\x00\xffbytes")
    assert await dead_worker.claim(time.time(), 10) == ["chat"]  # ...and then it dies

    survivor = Lanes(redis, prefix="t6", name="q", lease_seconds=0.5)
    assert await survivor.claim(time.time(), 10) == []  # still leased
    await asyncio.sleep(0.6)
    assert await survivor.claim(time.time(), 10) == ["chat"]
    job = await survivor.head("chat")
    assert job is not None
    assert job.blob == b"\x00\xffbytes"
    # The dead worker's token no longer lets it release the lane.
    assert await dead_worker.release("chat", due_at=time.time()) is False


@pytest.mark.parametrize("tries", [1, 2, 5, 12])
def test_backoff_grows_and_is_capped(tries: int) -> None:
    delay = Backoff(first=0.5, most=60.0).delay(tries)
    expected = min(60.0, 0.5 * 2 ** (tries - 1))
    assert 0.8 * expected <= delay <= 1.2 * expected


async def test_a_job_missing_a_field_is_given_up_at_once(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t7", name="q")
    router = LaneRouter()
    calls = 0

    async def handler(job: Job) -> None:
        nonlocal calls
        calls += 1
        job.body["chat_id"]

    router.add("tg", handler)
    await lanes.put("tg:1", {"kind": "text"}, now=time.time())
    pump = LanePump(lanes, router, name="q", poll_seconds=0.01, backoff=FAST)
    async with pump.running():
        await _drained(pump)
    assert calls == 1
    [dead] = await lanes.dead()
    assert dead["error"] == "gave up: malformed job, no 'chat_id'"

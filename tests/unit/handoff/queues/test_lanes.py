"""The Redis lanes and their pump (handoff/queues/lanes.py, handoff/queues/pump.py), on a
real Valkey."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio import Redis

from handoff.queues.lanes import MARK_SETS, Job, LaneGone, Lanes
from handoff.queues.pump import Backoff, GiveUp, LanePump, LaneRouter, RetryLater

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
    lanes = Lanes(redis, prefix="t5", name="q", once_seconds=3600)
    now = time.time()
    first = await lanes.put("chat", {"n": 1}, now=now, once="update-7")
    again = await lanes.put("chat", {"n": 1}, now=now + 60, once="update-7")
    assert first.fresh
    assert not again.fresh
    assert again.job_id == first.job_id
    assert lanes.job_id("update-7", now) == first.job_id  # known before a staged put runs
    assert await redis.lrange(lanes.key("lane", "chat"), 0, -1) == [first.job_id.encode()]
    # A numbered send is put once whichever lane it goes to (a thread's stand-in may have
    # been replaced by the real thread when its update runs again).
    sent = await lanes.put("slack:C1:q:1", {"n": 3}, now=now, once="tg:9:1")
    moved = await lanes.put("slack:conv", {"n": 3}, now=now, once="tg:9:1")
    assert (sent.fresh, moved.fresh, moved.job_id) == (True, False, sent.job_id)
    assert await lanes.waiting("slack:conv") == 0


async def test_marks_are_kept_compact_in_a_few_small_sorted_sets(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t13", name="q", once_seconds=3600)
    now = time.time()
    for n in range(3000):
        await lanes.put(f"tg:{n % 300}", {"n": n}, now=now, once=f"tg:{n}")
    sets = {lanes.marks_key(f"tg:{n}") for n in range(3000)}
    assert len(sets) <= MARK_SETS
    assert sum([await redis.zcard(key) for key in sets]) == 3000
    for key in sets:
        assert await redis.object("encoding", key) in (b"listpack", b"ziplist")
        assert 3500 < await redis.ttl(key) <= 3601  # as long as its latest mark
    assert len(await redis.keys("t13:q:marks:*")) == len(sets)  # no key of its own per mark


async def test_a_mark_runs_out_and_a_key_seen_again_gets_a_new_job(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t8", name="q", once_seconds=60)
    now = time.time()
    first = await lanes.put("chat", {"n": 1}, now=now, once="update-7")
    later = await lanes.put("chat", {"n": 1}, now=now + 61, once="update-7")
    assert later.fresh
    # Not the first job's id: that job (its ``posted`` record, its stand-in) is another.
    assert later.job_id != first.job_id
    assert await redis.zcard(lanes.marks_key("update-7")) == 1  # the run-out mark is gone
    assert await lanes.waiting("chat") == 2
    plain = await lanes.put("chat", {"n": 2}, now=now)
    assert len({first.job_id, later.job_id, plain.job_id}) == 3
    assert all(len(job_id) == 16 for job_id in (first.job_id, later.job_id, plain.job_id))


async def test_a_dead_workers_lane_is_taken_up_when_its_lease_runs_out(redis: Redis) -> None:
    dead_worker = Lanes(redis, prefix="t6", name="q", lease_seconds=0.5)
    await dead_worker.put("chat", {"n": 1}, now=time.time(), blob=b"\x00\xffbytes")
    assert (await dead_worker.claim(time.time(), 10)).lanes == ["chat"]
    started = time.time()
    first = await dead_worker.next("chat", started)  # ...it starts the job, and dies
    assert isinstance(first, Job)
    assert first.taken is None  # its first take

    survivor = Lanes(redis, prefix="t6", name="q", lease_seconds=0.5)
    assert (await survivor.claim(time.time(), 10)).lanes == []  # still leased
    await asyncio.sleep(0.6)
    assert (await survivor.claim(time.time(), 10)).lanes == ["chat"]
    job = await survivor.next("chat", time.time())
    assert isinstance(job, Job)
    assert job.blob == b"\x00\xffbytes"
    assert job.taken == started  # it may have run: when it was first taken
    assert (await survivor.head("chat")) == job
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


async def test_each_job_is_one_round_trip_once_the_lane_is_claimed(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    lanes = Lanes(redis, prefix="t9", name="q")
    for n in range(3):
        await lanes.put("chat", {"n": n}, now=time.time())
    await lanes.put("other", {"n": 9}, now=time.time())
    claim = await lanes.claim(time.time(), 0)  # none taken, the depth read all the same
    assert (claim.lanes, claim.depth) == ([], 4)
    claim = await lanes.claim(time.time(), 10)
    assert (sorted(claim.lanes), claim.depth) == (["chat", "other"], 4)
    await lanes.next("other", time.time())  # every script is loaded from here on

    sent: list[str] = []
    execute: Callable[..., Awaitable[object]] = redis.execute_command

    async def counted(*args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(redis, "execute_command", counted)
    step = await lanes.next("chat", time.time())
    seen = []
    while isinstance(step, Job):
        seen.append(step.body["n"])
        step = await lanes.done_next(step, time.time())
    assert seen == [0, 1, 2]
    assert step is LaneGone.EMPTY
    assert sent == ["EVALSHA"] * 4  # next, then done_next for each job
    monkeypatch.undo()
    # Let go: out of ``due`` and without an owner; no longer this worker's to work.
    assert await redis.zscore(lanes.key("due"), "chat") is None
    assert await redis.hget(lanes.key("owner"), "chat") is None
    assert await lanes.next("chat", time.time()) is LaneGone.TAKEN
    assert await lanes.depth() == 1
    # A put after that makes the lane due again.
    await lanes.put("chat", {"n": 3}, now=time.time())
    assert (await lanes.claim(time.time(), 10)).lanes == ["chat"]


async def test_done_next_pops_only_the_job_done_and_skips_an_erased_one(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="t10", name="q")
    ids = [(await lanes.put("chat", {"n": n}, now=time.time())).job_id for n in range(4)]
    await lanes.claim(time.time(), 10)
    first = await lanes.next("chat", time.time())
    assert isinstance(first, Job)
    await redis.delete(lanes.key("job", ids[1]))  # erased while it waited
    second = await lanes.done_next(first, time.time())
    assert isinstance(second, Job)
    assert second.body == {"n": 2}
    # Recording the first job done again (a retried call) does not pop the second.
    again = await lanes.done_next(first, time.time())
    assert isinstance(again, Job)
    assert again.id == second.id
    assert await lanes.depth() == 2
    assert await redis.exists(lanes.key("job", ids[0]), lanes.key("job", ids[1])) == 0


async def test_the_keeper_holds_a_long_jobs_lane_for_every_lane_at_once(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    lanes = Lanes(redis, prefix="t11", name="q", lease_seconds=0.3)
    rival = Lanes(redis, prefix="t11", name="q", lease_seconds=0.3)
    runs: list[str] = []
    renewals: list[list[str]] = []
    renew = lanes.renew

    async def counted(held: list[str], now: float) -> list[str]:
        renewals.append(held)
        return await renew(held, now)

    monkeypatch.setattr(lanes, "renew", counted)

    async def handler(job: Job) -> None:
        runs.append(job.lane)
        await asyncio.sleep(1.0)  # three leases

    for lane in ("a", "b", "c"):
        await lanes.put(lane, {"n": 1}, now=time.time())
    pump = LanePump(lanes, handler, name="q", poll_seconds=0.01)
    async with pump.running():
        await asyncio.sleep(0.1)
        while not await pump.idle():
            assert (await rival.claim(time.time(), 10)).lanes == []
            await asyncio.sleep(0.05)
    assert sorted(runs) == ["a", "b", "c"]  # each ran once: no one else took a lane
    assert len(renewals) >= 5
    assert ["a", "b", "c"] in renewals  # all in one call


async def test_a_lane_taken_over_during_a_job_stops_after_it(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    lanes = Lanes(redis, prefix="t12", name="q", lease_seconds=0.3)
    rival = Lanes(redis, prefix="t12", name="q", lease_seconds=30)
    started, finish = asyncio.Event(), asyncio.Event()
    runs: list[int] = []

    async def handler(job: Job) -> None:
        runs.append(job.body["n"])
        started.set()
        await finish.wait()

    for n in range(2):
        await lanes.put("chat", {"n": n}, now=time.time())
    pump = LanePump(lanes, handler, name="q", poll_seconds=0.01)
    async with pump.running():
        await started.wait()
        # As if this worker stalled past its lease and the rival claimed the lane.
        await redis.zadd(lanes.key("due"), {"chat": 0})
        assert (await rival.claim(time.time(), 10)).lanes == ["chat"]
        assert await lanes.renew(["chat"], time.time()) == ["chat"]
        await asyncio.sleep(0.2)  # the keeper's renewal fails too
        finish.set()
        await asyncio.sleep(0.2)
        assert runs == [0]  # the first job was done and dropped; the lane was left alone
        assert not pump._active
    assert "q lane taken over" in caplog.text
    job = await rival.next("chat", time.time())
    assert isinstance(job, Job)
    assert job.body == {"n": 1}

"""Works one queue's lanes (handoff/queues/lanes.py): claims due lanes, runs their jobs in order.

Lanes run concurrently, each one's jobs one after another. A job that fails for a
passing reason (``RetryLater``: a service down, a rate limit) stays at its lane's head
and the lane waits a backoff, or the ``retry_after`` the service asked for, so later
jobs of that conversation never overtake it. A job that can never succeed (``GiveUp``)
goes to the dead-letter stream; so does one that keeps failing unexpectedly.

A lane's holder renews its lease at each job (``Lanes.next``); for jobs that take long,
one lease keeper per pump renews all the lanes being worked in one call every third of
a lease. A lane another worker took over meanwhile stops at its next job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from redis.exceptions import RedisError

from handoff.errors import RedisUnavailable, ServiceUnavailable
from handoff.queues.lanes import Job, LaneGone, Lanes
from nlu.errors import NluUnavailable

log = logging.getLogger(__name__)

# An unexpected error (a bug, a malformed job) is tried this often before it is buried.
MAX_UNEXPECTED_TRIES = 5
# One job may take this long (e.g. an upload behind a rate limit); the lease is renewed.
JOB_TIMEOUT_SECONDS = 120.0
# Recording a job done is retried this often, this far apart, while Redis is away.
DONE_TRIES = 120
DONE_RETRY_SECONDS = 0.25
# Passing failures of a handler or an intake: a service down or slow (Redis, Rasa, Slack,
# a channel) or a dropped connection. The inboxes turn them into ``RetryLater`` or a retry.
TRANSIENT: tuple[type[Exception], ...] = (
    ServiceUnavailable,
    NluUnavailable,
    RedisError,
    OSError,
    TimeoutError,
)


class RetryLater(Exception):
    """A passing failure: try the job again later, after ``retry_after`` if given."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class GiveUp(Exception):
    """The job can never succeed (e.g. the customer blocked the bot). ``refusal`` names
    why the service refused it ("blocked", "chat_not_found", "file_refused", ...), for
    the people who should hear of it (``LanePump.on_give_up``); None: not a refusal."""

    def __init__(self, reason: str, *, refusal: str | None = None) -> None:
        super().__init__(reason)
        self.refusal = refusal


@dataclass(frozen=True)
class Backoff:
    first: float = 0.5
    factor: float = 2.0
    most: float = 60.0

    def delay(self, tries: int) -> float:
        """Exponential, capped, with jitter so a crowd of lanes does not retry in step."""
        base = min(self.most, self.first * self.factor ** max(0, tries - 1))
        return base * random.uniform(0.8, 1.2)  # jitter, not security


Handler = Callable[[Job], Awaitable[None]]
# Told of every job given up as refused (the desk posts it into the thread; no I/O here).
GiveUpListener = Callable[[Job, GiveUp], Awaitable[None]]
T = TypeVar("T")


async def until_recorded(step: Callable[[], Awaitable[T]], what: str) -> T:
    """Write to Redis what a job did once it is done outside (a message sent), waiting out a
    Redis outage: failing now would make the job run again, and send again."""
    for attempt in range(1, DONE_TRIES + 1):
        try:
            return await step()
        except (RedisError, RedisUnavailable, OSError):
            if attempt == DONE_TRIES:
                raise
            log.warning("%s, not yet recorded: Redis is away", what)
            await asyncio.sleep(DONE_RETRY_SECONDS)
    raise AssertionError("unreachable")


class QueueObserver(Protocol):
    """What the metrics see (handoff/queues/metrics.py)."""

    def outcome(self, queue: str, outcome: str) -> None: ...  # "done", "retry", "dead"

    def depth(self, queue: str, jobs: int) -> None: ...


class LaneRouter:
    """The pump's handler: each job goes to the handler for its lane's kind (``tg:…``)."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def add(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    async def __call__(self, job: Job) -> None:
        handler = self.handlers.get(job.lane.partition(":")[0])
        if handler is None:
            raise GiveUp(f"no handler for lane {job.lane!r}")
        try:
            await handler(job)
        except KeyError as exc:  # a job without a field its handler needs: it never will
            raise GiveUp(f"malformed job, no {exc}") from exc


class LanePump:
    def __init__(
        self,
        lanes: Lanes,
        handler: Handler,
        *,
        name: str,
        concurrency: int = 32,
        poll_seconds: float = 0.1,
        backoff: Backoff | None = None,
        observer: QueueObserver | None = None,
    ) -> None:
        self.lanes = lanes
        self.handler = handler
        self.name = name
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.backoff = backoff or Backoff()
        self.observer = observer
        self._active: dict[asyncio.Task[None], str] = {}  # each lane's worker -> the lane
        self._give_up_listeners: list[GiveUpListener] = []
        self._wake = asyncio.Event()

    def on_give_up(self, listener: GiveUpListener) -> None:
        """Call ``listener`` with each job given up as a refusal, once it is buried."""
        self._give_up_listeners.append(listener)

    def wake(self) -> None:
        """A job was just put here: look now rather than at the next poll."""
        self._wake.set()

    async def tick(self) -> int:
        """Claim what is due and start working it; returns how many lanes were claimed."""
        claim = await self.lanes.claim(time.time(), self.concurrency - len(self._active))
        if self.observer is not None:
            self.observer.depth(self.name, claim.depth)
        for lane in claim.lanes:
            task = asyncio.create_task(self._work(lane), name=f"tandem-{self.name}-{lane}")
            self._active[task] = lane
            task.add_done_callback(self._active.pop)
        return len(claim.lanes)

    async def idle(self) -> bool:
        """Nothing waiting and nothing being worked (tests and benchmarks drain on this)."""
        return not self._active and await self.lanes.depth() == 0

    async def _forever(self) -> None:
        task = asyncio.current_task()
        while True:
            try:
                await self.tick()
            except (RedisError, OSError) as exc:
                if not (task and task.cancelling()):
                    log.warning("%s poll failed", self.name, extra={"error": type(exc).__name__})
            if task and task.cancelling():  # redis-py may swallow a cancellation
                raise asyncio.CancelledError
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LanePump]:
        loop = asyncio.create_task(self._forever(), name=f"tandem-{self.name}")
        keeper = asyncio.create_task(self._keep_leases(), name=f"tandem-{self.name}-leases")
        try:
            yield self
        finally:
            loop.cancel()
            keeper.cancel()
            for task in list(self._active):
                task.cancel()
            await asyncio.gather(loop, keeper, *self._active, return_exceptions=True)

    async def _keep_leases(self) -> None:
        """Renew every lane being worked, so a long job keeps its lane (one call for all).
        A lane another worker holds now is not renewed; its own next step notices."""
        task = asyncio.current_task()
        while True:
            await asyncio.sleep(self.lanes.lease_seconds / 3)
            try:
                await self.lanes.renew(sorted(set(self._active.values())), time.time())
            except (RedisError, OSError):
                pass  # Redis away: the next renewal may do; the lanes stall meanwhile
            except Exception:  # a bug must not end the keeper of every lane
                log.exception("%s leases not renewed", self.name)
            if task and task.cancelling():  # redis-py may swallow a cancellation
                raise asyncio.CancelledError

    async def _work(self, lane: str) -> None:
        try:
            step: Job | LaneGone | None = await self.lanes.next(lane, time.time())
            while isinstance(step, Job):
                step = await self._do(step)
            if step is LaneGone.TAKEN:  # stalled past the lease, and another worker has it
                log.warning("%s lane taken over", self.name, extra={"lane": lane})
        except asyncio.CancelledError:
            # Stopping: hand the lane back at once instead of letting its lease run out.
            with contextlib.suppress(RedisError, OSError):
                await asyncio.shield(self.lanes.release(lane, due_at=time.time()))
            raise
        except (RedisError, OSError) as exc:  # the lease runs out; someone takes it up again
            log.warning("%s lane stalled", self.name, extra={"error": type(exc).__name__})

    async def _do(self, job: Job) -> Job | LaneGone | None:
        """Run a job; returns the lane's next one, or why there is none (None: backing off)."""
        lane = job.lane
        try:
            await self._run(job)
        except RetryLater as exc:
            tries = await self.lanes.failed(job)
            delay = max(exc.retry_after or 0.0, self.backoff.delay(tries))
            log.info(
                "%s job deferred",
                self.name,
                extra={"lane": lane, "tries": tries, "delay": round(delay, 2), "why": str(exc)},
            )
            self._outcome("retry")
            await self.lanes.release(lane, due_at=time.time() + delay)
            return None
        except GiveUp as exc:  # expected now and then (a blocked bot): a warning
            step = await self._bury(job, f"gave up: {exc}", level=logging.WARNING)
            if exc.refusal is not None:
                await self._tell_give_up(job, exc)
            return step
        except Exception as exc:
            tries = await self.lanes.failed(job)
            log.exception("%s job failed", self.name, extra={"lane": lane, "tries": tries})
            if tries >= MAX_UNEXPECTED_TRIES:
                return await self._bury(job, f"{type(exc).__name__}: {exc}")
            self._outcome("retry")
            await self.lanes.release(lane, due_at=time.time() + self.backoff.delay(tries))
            return None
        # Given up, the lane's next holder would do the job again (a message sent twice).
        step = await until_recorded(
            lambda: self.lanes.done_next(job, time.time()), f"{self.name} job done"
        )
        self._outcome("done")
        return step

    async def _run(self, job: Job) -> None:
        """The handler, within the time a job may take (the keeper holds the lane meanwhile)."""
        try:
            async with asyncio.timeout(JOB_TIMEOUT_SECONDS):
                await self.handler(job)
        except TimeoutError as exc:
            raise RetryLater(f"no result within {JOB_TIMEOUT_SECONDS:.0f}s") from exc

    async def _tell_give_up(self, job: Job, error: GiveUp) -> None:
        """The listeners hear of a refusal; one failing (Redis away) costs only its notice,
        never the lane: the job is buried already."""
        for listener in self._give_up_listeners:
            try:
                await listener(job, error)
            except Exception:
                log.exception("%s refusal not reported", self.name, extra={"lane": job.lane})

    def _outcome(self, outcome: str) -> None:
        if self.observer is not None:
            self.observer.outcome(self.name, outcome)

    async def _bury(self, job: Job, error: str, *, level: int = logging.ERROR) -> Job | LaneGone:
        extra = {"lane": job.lane, "error": error[:200]}
        log.log(level, "%s job given up", self.name, extra=extra)
        self._outcome("dead")
        return await self.lanes.bury(job, error, time.time())

"""The load benchmark's set-up: Valkey, Rasa, the playground fakes served here, and one
real worker as its own OS process (``tandem run`` pointed at the fakes, as an operator would
point it at Telegram and Slack), plus the probes that read it from outside: /metrics,
/proc/<pid>/status, and Rasa's own /model/parse timed directly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from bot.serve import serve_app
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.connection.run_id import RUN_ID_ENV
from nlu.processes import die_with_parent
from nlu.project import PROJECT_ROOT
from nlu.rasa.local import start_local_rasa
from playground.app import DEFAULT_CHANNEL, SLACK_BOT_TOKEN, TELEGRAM_TOKEN, Playground

WORKER_START_SECONDS = 120.0
WORKER_STOP_SECONDS = 30.0
READY = re.compile(r"Supervisor review: (http://\S+)/review")


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


class WorkerProcess:
    """`python -m bot.cli run` as a child process; its output goes to a log file."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path, url: str) -> None:
        self.process, self.log, self.url = process, log, url
        self.http = httpx.AsyncClient(base_url=url, timeout=10.0)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def status(self) -> dict[str, float]:
        """VmHWM (peak resident) and VmRSS of the worker, in MB."""
        found = {"VmHWM": 0.0, "VmRSS": 0.0}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in found:
                found[name] = int(value.split()[0]) / 1024
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time the worker has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def metrics(self) -> str:
        response = await self.http.get("/metrics")
        response.raise_for_status()
        return response.text

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    async def stop(self) -> None:
        await self.http.aclose()
        if self.alive:
            self.process.send_signal(signal.SIGINT)  # tandem run stops cleanly on Ctrl-C
            try:
                await asyncio.wait_for(self.process.wait(), WORKER_STOP_SECONDS)
            except TimeoutError:
                print(f"the worker did not stop in {WORKER_STOP_SECONDS:.0f}s; killed it")
                self.process.kill()
                await self.process.wait()


async def start_worker(env: dict[str, str], log: Path) -> WorkerProcess:
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=PROJECT_ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            # Its own session, as a service manager starts it: on Linux, its own share of
            # the CPU (autogroup), not one shared with the fakes and customers here.
            start_new_session=True,
            preexec_fn=die_with_parent(),  # ends with the benchmark, even a killed one
        )
    deadline = time.monotonic() + WORKER_START_SECONDS
    while True:
        found = READY.search(await asyncio.to_thread(log.read_text, errors="replace"))
        if found:
            return WorkerProcess(process, log, found.group(1))
        if process.returncode is not None or time.monotonic() > deadline:
            worker = WorkerProcess(process, log, "")
            why = (
                f"exited with code {process.returncode}"
                if process.returncode is not None
                else f"was not ready within {WORKER_START_SECONDS:.0f}s"
            )
            tail = worker.tail()
            await worker.stop()
            raise BenchError(f"the worker {why}; its log ({log}) ends with:\n{tail}")
        await asyncio.sleep(0.2)


@dataclass
class Services:
    pg: Playground
    redis: Redis
    rasa_url: str
    worker: WorkerProcess


def worker_env(
    pg: Playground,
    url: str,
    redis_url: str,
    rasa_url: str,
    state: Path,
    telegram_rate: int,
    run_id: str | None = None,
) -> dict[str, str]:
    """The settings of a real deployment (bot/settings.py), with the fakes as Telegram and
    Slack: polling, Slack over HTTP, no per-customer rate limit in the way of the load, and
    the bot's sends per second (Telegram's limit, not Tandem's) set by `telegram_rate`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_API_BASE_URL=f"{url}/telegram",
        SLACK_BOT_TOKEN=SLACK_BOT_TOKEN,
        SLACK_API_URL=f"{url}/slack/api/",
        SLACK_SIGNING_SECRET=pg.signing_secret,
        SLACK_HANDOFF_CHANNEL=DEFAULT_CHANNEL,
        REDIS_URL=redis_url,
        RASA_URL=rasa_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT="0",
        STATE_DIR=str(state),
        CUSTOMER_RATE_LIMIT_PER_MINUTE="1000000",
        TELEGRAM_MAX_SENDS_PER_SECOND=str(telegram_rate),
        PTB_TIMEDELTA="true",
    )
    if run_id:  # the embedded Valkey started here: the worker joins no other run's
        env[RUN_ID_ENV] = run_id
    env.setdefault("LOG_LEVEL", "INFO")
    return env


@asynccontextmanager
async def services(state: Path, telegram_rate: int) -> AsyncIterator[Services]:
    """Redis (REDIS_URL, which must be an empty database, or an embedded Valkey), Rasa
    (RASA_URL, or one started here), the fakes, and the worker process."""
    async with AsyncExitStack() as stack:
        redis_url = os.environ.get("REDIS_URL")
        run_id = None
        if not redis_url:
            embedded = EmbeddedRedis(state / "valkey")
            redis_url = await embedded.start()
            stack.push_async_callback(embedded.stop)
            run_id = embedded.run_id
        redis = Redis.from_url(redis_url, socket_timeout=30.0)  # no wait unbounded
        stack.push_async_callback(redis.aclose)
        # The embedded server's one key is its run id (handoff/storage/connection/run_id.py).
        if await redis.dbsize() > (1 if run_id else 0):
            raise BenchError(
                "REDIS_URL points at a database that is not empty; the benchmark measures "
                "Redis bytes per conversation and would mix them with what is there. Unset "
                "REDIS_URL (an embedded Valkey is started) or point it at an empty database."
            )
        rasa_url = os.environ.get("RASA_URL")
        if not rasa_url:
            print("RASA_URL is unset: starting a Rasa server (up to a few minutes)", flush=True)
            rasa_url = await start_local_rasa(stack, state)
        pg = Playground.for_business(PROJECT_ROOT / "data")
        url = await stack.enter_async_context(serve_app(pg.app()))
        stack.push_async_callback(pg.telegram.aclose)
        stack.push_async_callback(pg.slack.aclose)
        env = worker_env(pg, url, redis_url, rasa_url, state, telegram_rate, run_id)
        worker = await start_worker(env, state / "worker.log")
        stack.push_async_callback(worker.stop)
        pg.slack.set_request_url(f"{worker.url}/slack/events")
        yield Services(pg, redis, rasa_url, worker)


@dataclass(frozen=True)
class Direct:
    """Rasa's own /model/parse figures: calls, wall time, latencies (seconds)."""

    calls: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


async def rasa_direct(url: str, texts: Sequence[str], calls: int, concurrency: int) -> Direct:
    """`calls` parses of `texts` in turn, `concurrency` at a time, straight at Rasa."""
    latencies: list[float] = []
    queue = iter(range(calls))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as http:

        async def one_lane() -> None:
            for i in queue:
                started = time.perf_counter()
                response = await http.post("/model/parse", json={"text": texts[i % len(texts)]})
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        try:
            async with asyncio.timeout(60 + calls):  # generous: Rasa does tens per second
                await asyncio.gather(*(one_lane() for _ in range(concurrency)))
        except (TimeoutError, httpx.HTTPError) as exc:
            raise BenchError(f"Rasa's /model/parse at {url} failed: {exc!r}") from exc
        return Direct(calls, time.perf_counter() - started, latencies)


@dataclass
class Snapshot:
    """The worker and Redis, read at one moment."""

    metrics: str
    cpu: float  # the worker's CPU seconds so far
    bench_cpu: float  # this process's (the fakes, the customers, the tracker)
    used_memory: int  # what the data takes (see ``data_memory``)

    @classmethod
    async def take(cls, s: Services) -> Snapshot:
        info = await s.redis.info("memory")
        return cls(
            await s.worker.metrics(),
            s.worker.cpu_seconds(),
            sum(os.times()[:2]),
            data_memory(info),
        )


# Parts of used_memory that belong to connections and the server, not to the data: the
# worker's pool opens connections as the load grows, each with its own buffers.
NOT_DATA = (
    "mem_clients_normal",
    "mem_clients_slaves",
    "mem_aof_buffer",
    "mem_replication_backlog",
    "used_memory_scripts",
)


def data_memory(info: dict[str, Any]) -> int:
    """used_memory without client buffers, the AOF buffer, replication and cached scripts
    (Redis 7 and Valkey report each); every key's own overhead stays in."""
    return int(info["used_memory"]) - sum(int(info.get(name, 0)) for name in NOT_DATA)

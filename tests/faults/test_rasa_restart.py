"""The Rasa server killed (SIGKILL) mid-stream and started again: while it is down every
message goes to a person (README: triage hands off when Rasa does not answer); once it is
back the bot answers again; nothing is lost, doubled or reordered.

The test runs a Rasa server of its own (the shared one must not be killed); loading the
model takes 15-30 s, once for the module and once for the restart."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from nlu.project import PROJECT_ROOT
from nlu.rasa.local import free_port
from nlu.rasa.server import NICENESS, RasaServer, autogroups_on
from tests.autogroups import group_of
from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
LOAD_WITHIN = 90.0  # seconds for Rasa to load the model, on a busy 2-core machine


class OwnRasa:
    """A Rasa server on a fixed port, for the newest trained model in models/."""

    def __init__(self, log_dir: Path) -> None:
        models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=os.path.getmtime)
        assert models, "no trained model in models/ (run `tandem train`)"
        self.model = models[-1]
        self.port = free_port()
        self.log_dir = log_dir
        self.server: RasaServer | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"rasa-{self.starts}.log"
        self.server = RasaServer(RASA, self.model, port=self.port, log_path=log_path)
        await self.server.start(wait_seconds=LOAD_WITHIN)
        assert self.server.process is not None
        # It yields the CPU to the workers (nlu/rasa/server.py), relative to this process.
        pid = self.server.process.pid
        priority = os.getpriority(os.PRIO_PROCESS, pid)
        assert priority == min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)
        group = group_of(pid) if autogroups_on() else None  # its session's share too
        assert group is None or group[1] == NICENESS

    async def kill(self) -> None:
        """SIGKILL to its whole process group (it runs in a session of its own)."""
        process = self.server.process if self.server else None
        assert process is not None, "Rasa is not running"
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def own_rasa(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OwnRasa]:
    rasa = OwnRasa(tmp_path_factory.mktemp("own-rasa"))
    await rasa.start()
    yield rasa
    await rasa.stop()


async def test_rasa_killed_mid_stream_and_restarted(
    fakes: Fakes, valkey: Valkey, workers: Workers, own_rasa: OwnRasa
) -> None:
    worker = await workers.start(redis_url=valkey.url, rasa_url=own_rasa.url)
    fakes.pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    async with Traffic(fakes.pg, seed=16) as traffic:
        traffic.customers(range(6), messages=6, over=12.0)  # before, during and after
        await traffic.wait_sent(6)
        await own_rasa.kill()
        await own_rasa.start()  # the stream goes on while the model loads
        traffic.customers(range(6, 10), messages=6, over=8.0)  # after: the bot answers
        await settle(traffic, after="Rasa was killed (SIGKILL) and restarted", within=30.0)

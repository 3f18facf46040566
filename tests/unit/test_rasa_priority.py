"""How the local Rasa server is run: its lower CPU priority holds across sessions (Linux
shares the CPU between autogroups, one per session, before it looks at nice, so the group
is lowered too), and it serves on one TensorFlow thread."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nlu.rasa_server import NICENESS, lower_autogroup, serving_env

no_autogroups = pytest.mark.skipif(
    not Path("/proc/self/autogroup").exists(), reason="this kernel has no autogroups"
)


def group_of(pid: int | str) -> tuple[str, int]:
    name, _, nice = Path(f"/proc/{pid}/autogroup").read_text().split()  # "/autogroup-6 nice 0"
    return name, int(nice)


@no_autogroups
def test_a_process_in_a_session_of_its_own_gets_its_group_lowered() -> None:
    with subprocess.Popen(["sleep", "30"], start_new_session=True) as child:
        try:
            assert group_of(child.pid)[0] != group_of("self")[0]  # a group of its own
            assert group_of(child.pid)[1] == 0
            assert lower_autogroup(child.pid)
            assert group_of(child.pid)[1] == NICENESS
        finally:
            child.kill()


def test_no_process_no_group() -> None:
    assert not lower_autogroup(2**22 + 12345)  # beyond pid_max: never a process


def test_rasa_serves_on_one_tensorflow_thread_unless_the_operator_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TF_INTRA_OP_PARALLELISM_THREADS", raising=False)
    monkeypatch.setenv("TF_INTER_OP_PARALLELISM_THREADS", "4")
    env = serving_env()
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert env["TF_INTER_OP_PARALLELISM_THREADS"] == "4"

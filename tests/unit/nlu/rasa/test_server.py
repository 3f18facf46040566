"""How the local Rasa server is run: its lower CPU priority holds across sessions (Linux
shares the CPU between autogroups, one per session, before it looks at nice, so the group
is lowered too), and it serves on one TensorFlow thread."""

from __future__ import annotations

import subprocess

import pytest

from nlu.rasa.server import NICENESS, autogroups_on, lower_autogroup, serving_env
from tests.autogroups import group_of

no_autogroups = pytest.mark.skipif(
    not autogroups_on(), reason="this kernel has no autogroups, or they are switched off"
)


@no_autogroups
def test_a_process_in_a_session_of_its_own_gets_its_group_lowered() -> None:
    with subprocess.Popen(["sleep", "30"], start_new_session=True) as child:
        try:
            own = group_of(child.pid)
            assert own is not None
            assert own[1] == 0
            mine = group_of("self")
            assert mine is None or mine[0] != own[0]  # not the group of the session it left
            assert lower_autogroup(child.pid)
            assert group_of(child.pid) == (own[0], NICENESS)
            assert group_of("self") == mine  # this session's share is untouched
        finally:
            child.kill()


def test_a_process_in_the_root_group_is_left_to_nice() -> None:
    if group_of(1) is not None:
        pytest.skip("init has an autogroup of its own here")
    assert not lower_autogroup(1)  # init, in no group of a session: nothing to lower


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

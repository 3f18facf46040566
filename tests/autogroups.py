"""Reading a process's Linux autogroup (its session's share of the CPU), for the tests of
Rasa's lower priority (nlu/rasa/server.py)."""

from __future__ import annotations

from pathlib import Path


def group_of(pid: int | str) -> tuple[str, int] | None:
    """The process's autogroup and its nice; None where it has none: no such file (not
    Linux, or no autogroups), or an empty one for a process in the root group, whose
    session has none of its own (init's; a CI runner's may be)."""
    group = Path(f"/proc/{pid}/autogroup")
    shown = group.read_text().split() if group.exists() else []  # "/autogroup-6 nice 0"
    return (shown[0], int(shown[2])) if shown else None

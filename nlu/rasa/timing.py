"""Rasa's share of handling one customer message: the parse time the Rasa client notes, read
by the worker's message timing (handoff/metrics.py ``timed_message``) in the same task."""

from __future__ import annotations

from contextvars import ContextVar

# The Rasa parse time of the customer message being handled in this task (note_parse).
parse_seconds: ContextVar[float] = ContextVar("tandem_parse_seconds", default=0.0)


def note_parse(seconds: float) -> None:
    """Called by the Rasa client after each parse: counted against the customer message
    being handled in this task (see ``timed_message``); elsewhere it changes nothing."""
    parse_seconds.set(parse_seconds.get() + seconds)

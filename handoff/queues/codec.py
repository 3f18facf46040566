"""What the queued adapters put into a job, as JSON, and how the sender reads it back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from handoff.core.ports import Button, ButtonRow, Choice, HandoffCard, TranscriptLine
from handoff.core.state import ThreadRef


def encode_thread(thread: ThreadRef) -> list[str]:
    return [thread.channel, thread.ts]


def decode_thread(raw: Sequence[str]) -> ThreadRef:
    channel, ts = raw
    return ThreadRef(str(channel), str(ts))


def encode_card(card: HandoffCard) -> dict[str, Any]:
    return asdict(card)


def decode_card(raw: dict[str, Any]) -> HandoffCard:
    fields = dict(raw)
    fields["notes"] = tuple(fields["notes"])
    fields["recent"] = tuple(TranscriptLine(**line) for line in fields["recent"])
    return HandoffCard(**fields)


def encode_choices(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    return [asdict(choice) for choice in choices]


def decode_choices(raw: Sequence[dict[str, Any]]) -> list[Choice]:
    return [Choice(**choice) for choice in raw]


def encode_buttons(buttons: Sequence[ButtonRow]) -> list[list[dict[str, Any]]]:
    """Rows of buttons; a lone button is a row of one (as ``keyboard`` shows it)."""
    rows = [[b] if isinstance(b, Button) else list(b) for b in buttons]
    return [[asdict(b) for b in row] for row in rows]


def decode_buttons(raw: Sequence[Sequence[dict[str, Any]]]) -> list[list[Button]]:
    return [[Button(**b) for b in row] for row in raw]

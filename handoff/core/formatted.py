"""Channel-neutral formatted text: runs of characters with marks (bold, italic, strike,
code, pre, quote) and an optional link. Pure, no I/O.

An employee's Slack reply is decoded into this by the Slack adapter
(handoff/slack/mrkdwn.py) and rendered by each customer channel in its own markup
(Telegram HTML in bot/telegram/channel.py). ``FormattedText`` *is* the plain text a
person reads (a ``str``), so the guard, the transcript and any channel that knows no
formatting use it unchanged; it carries its runs beside it for the channels that do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Mark(StrEnum):
    BOLD = "bold"
    ITALIC = "italic"
    STRIKE = "strike"
    CODE = "code"  # inline code
    PRE = "pre"  # a preformatted block
    QUOTE = "quote"  # a quoted block

    @property
    def is_block(self) -> bool:
        """Block marks span whole lines; inline marks style characters within a line."""
        return self in (Mark.PRE, Mark.QUOTE)


@dataclass(frozen=True)
class Run:
    """Characters with the same marks and link target."""

    text: str
    marks: frozenset[Mark] = frozenset()
    link: str | None = None  # the URL the characters point to


class FormattedText(str):
    """The readable plain text, with its ``runs`` (their texts joined are the string)."""

    runs: tuple[Run, ...]

    def __new__(cls, runs: Iterable[Run]) -> FormattedText:
        merged = tuple(merge(runs))
        made = super().__new__(cls, "".join(run.text for run in merged))
        made.runs = merged
        return made

    @property
    def has_marks(self) -> bool:
        """Whether any run is more than plain characters."""
        return any(run.marks or run.link for run in self.runs)

    def __reduce__(self) -> tuple[type[FormattedText], tuple[tuple[Run, ...]]]:
        """copy and pickle rebuild it from its runs (``dataclasses.asdict`` deep-copies a
        held reply's text: handoff/flows/guard.py)."""
        return (FormattedText, (self.runs,))


def merge(runs: Iterable[Run]) -> list[Run]:
    """Neighbouring runs with the same marks and link as one; empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        last = merged[-1] if merged else None
        if last is not None and last.marks == run.marks and last.link == run.link:
            merged[-1] = Run(last.text + run.text, last.marks, last.link)
        else:
            merged.append(run)
    return merged


def plain(text: str) -> FormattedText:
    """Text with no formatting."""
    return FormattedText([Run(text)])

"""Sends a channel refused for good, as people read them; and whether the customer can be
reached at all. Pure, no I/O.

A refusal is recorded in the transcript as a ``delivery_refused`` event whose reason is
one of ``REASONS``. The thread is told ("Not delivered: the customer has blocked the bot"),
the dashboard's conversation page flags it, and ``/metrics`` counts it by reason.
A customer who blocked the bot (or whose chat is gone) cannot be helped, so nobody is
offered the conversation again until they write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from handoff.core.state import Event

EVENT = "delivery_refused"
# Reason -> what it means, as the employee reads it after "Not delivered: ".
REASONS = {
    "blocked": "the customer has blocked the bot",
    "deactivated": "the customer's account no longer exists",
    "chat_not_found": "the customer's chat was not found",
    "too_long": "the message was too long for the customer's app",
    "empty": "the message had no text left to send",
    "file_refused": "the file was refused",
    "file_too_large": "the file is too large to send",
    "refused": "the customer's app refused it",
}
# Reasons that mean no message can reach the customer until they write again.
UNREACHABLE = frozenset({"blocked", "deactivated", "chat_not_found"})
# What the customer did that shows they are back (their app lets the bot write again).
_CUSTOMER_KINDS = frozenset({"customer_message", "customer_file", "edit", "unsupported_message"})


@dataclass(frozen=True)
class Refusal:
    reason: str  # a key of REASONS
    what: str  # what was not delivered: "a message", "a photo", ...
    preview: str = ""  # the start of the text, so the employee knows which message

    def notice(self) -> str:
        """The thread's post: what did not arrive, and why."""
        said = f' ("{self.preview}")' if self.preview else ""
        what = self.what[:1].upper() + self.what[1:]
        return f"Not delivered: {describe(self.reason)}. {what}{said} did not reach them."

    def event(self, now: float) -> Event:
        detail = {"what": self.what, "text": self.preview} if self.preview else {"what": self.what}
        return Event(EVENT, now, "tandem", self.reason, detail)


def describe(reason: str | None) -> str:
    return REASONS.get(reason or "", REASONS["refused"])


def known(reason: str) -> str:
    """``reason`` if it is one of ``REASONS``, else the generic one."""
    return reason if reason in REASONS else "refused"


def unreachable(events: Iterable[Event]) -> bool:
    """The newest of these events (oldest first) says the customer cannot be reached: a
    refusal for an unreachable reason that the customer has not written since."""
    blocked = False
    for event in events:
        if event.kind == EVENT:
            blocked = blocked or event.reason in UNREACHABLE
        elif event.kind in _CUSTOMER_KINDS and event.by == "customer":
            blocked = False
    return blocked


def refusals(events: Iterable[Event]) -> list[Event]:
    """The conversation's refused sends, oldest first (the dashboard's flag)."""
    return [e for e in events if e.kind == EVENT]


def preview(text: str, limit: int = 80) -> str:
    """The first words of a message, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

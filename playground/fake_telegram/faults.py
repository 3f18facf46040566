"""Fault injection: make the next calls of a Bot API method fail like the real server can,
or one chat refuse every call about it (the customer blocked the bot, the chat is gone)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from playground.fake_telegram.params import ApiError

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
DEFAULT_RETRY_AFTER = 1
# What the real server answers about a chat that refuses the bot (Bot API error texts).
CHAT_REFUSALS = {
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "not_found": (400, "Bad Request: chat not found"),
    "deactivated": (403, "Forbidden: user is deactivated"),
}


@dataclass
class Fault:
    method: str  # a method name (case-insensitive) or "*" for any
    status: int
    remaining: int
    retry_after: int | None
    description: str | None

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method.lower() == method.lower()

    def error(self) -> ApiError:
        retry_after = self.retry_after
        if self.status == 429 and retry_after is None:
            retry_after = DEFAULT_RETRY_AFTER
        if self.description is not None:
            description = self.description
        elif self.status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        else:
            description = _DESCRIPTIONS.get(self.status, f"Error {self.status}")
        return ApiError(self.status, description, retry_after=retry_after)


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._windows: list[tuple[float, Fault]] = []  # (monotonic end, fault)
        self._chats: dict[int, str] = {}  # chat id -> a CHAT_REFUSALS key

    def refuse_chat(self, chat_id: int, how: str | None) -> None:
        """Every call about this chat fails as ``how`` says; None lifts it."""
        if how is None:
            self._chats.pop(chat_id, None)
            return
        if how not in CHAT_REFUSALS:
            raise ValueError(f"how must be one of {sorted(CHAT_REFUSALS)}, got {how!r}")
        self._chats[chat_id] = how

    def chat_refusal(self, chat_id: int | None) -> ApiError | None:
        """The error for a call about this chat, when it refuses the bot."""
        how = self._chats.get(chat_id) if chat_id is not None else None
        if how is None:
            return None
        status, description = CHAT_REFUSALS[how]
        return ApiError(status, description)

    def refused_how(self, chat_id: int) -> str | None:
        return self._chats.get(chat_id)

    def add(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        if not method:
            raise ValueError("method must be a Bot API method name or '*'")
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (400-599), got {status}")
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        if retry_after is not None and retry_after < 1:
            raise ValueError(f"retry_after must be at least 1 second, got {retry_after}")
        self._faults.append(Fault(method, status, count, retry_after, description))

    def add_window(
        self,
        method: str,
        *,
        status: int = 429,
        seconds: float,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Every call of `method` ("*" = any) fails like this for the next `seconds`."""
        if seconds <= 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        self.add(method, status=status, retry_after=retry_after, description=description)
        self._windows.append((time.monotonic() + seconds, self._faults.pop()))

    def take(self, method: str) -> ApiError | None:
        """The error to answer with: an open window's, else one matching queued fault
        (oldest first), which it consumes."""
        now = time.monotonic()
        self._windows = [(end, fault) for end, fault in self._windows if end > now]
        for _, fault in self._windows:
            if fault.matches(method):
                return fault.error()
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault.error()
        return None

    def clear(self) -> None:
        self._faults.clear()
        self._windows.clear()
        self._chats.clear()

    def __len__(self) -> int:
        return len(self._faults) + len(self._windows)

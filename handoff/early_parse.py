"""A customer message's Rasa parse, started alongside its first Redis read.

Whether the bot will answer is known only once that read is back (is the update new, who
owns the conversation, is the customer within their rate), but the parse does not depend
on it: started at once, it runs while the read is under way, and the answer goes out one
round trip sooner. A worker remembers, per chat, whether the bot was answering at its last
message, and starts early only where that was so (or the chat is new to it): a message for
a person's thread is not parsed. Where the guess was wrong, the parse is dropped or done
late; the read alone decides.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.metrics import note_parse
from nlu.rasa_client import Nlu
from nlu.result import NluResult

# Chats whose last outcome a worker remembers; a chat it forgot is parsed early again.
REMEMBERED_CHATS = 20_000


class EarlyParse:
    """One parse under way in its own task."""

    def __init__(self, nlu: Nlu, text: str) -> None:
        self.seconds = 0.0  # how long the parse took, once it is over
        self.used = False
        self._task = asyncio.ensure_future(self._timed(nlu, text))

    async def _timed(self, nlu: Nlu, text: str) -> NluResult:
        started = time.perf_counter()
        try:
            return await nlu.parse(text)
        finally:
            self.seconds = time.perf_counter() - started

    async def result(self) -> NluResult:
        """The parse's result (or its ``NluUnavailable``). The task has a context of its
        own, so the parse's time is noted here, in the message's (bot/metrics): its own
        time is then what it took beyond the parse, the first read hidden under it."""
        self.used = True
        try:
            return await self._task
        finally:
            note_parse(self.seconds)

    def drop(self) -> bool:
        """Not needed after all; True when the parse had not finished (Rasa's work wasted)."""
        if self.used:
            return False
        if self._task.done():
            if not self._task.cancelled():
                self._task.exception()  # retrieved: an unused failure is nobody's error
            return False
        self._task.cancel()
        return True


class EarlyParses:
    """Starts a message's parse early where the chat's last message went to the bot."""

    def __init__(self, nlu: Nlu, *, counted: Callable[[str], None] = lambda outcome: None) -> None:
        self.nlu = nlu
        self.counted = counted  # "used" | "dropped" | "late" (metrics)
        self._bot_answers: OrderedDict[int, bool] = OrderedDict()

    def start(self, chat_id: int, text: str, *, media: bool) -> EarlyParse | None:
        if media or not text or not self._bot_answers.get(chat_id, True):
            return None
        return EarlyParse(self.nlu, text)

    def note(self, chat_id: int, *, bot_answers: bool) -> None:
        """What the message's read found: does the bot answer this chat now?"""
        self._bot_answers[chat_id] = bot_answers
        self._bot_answers.move_to_end(chat_id)
        while len(self._bot_answers) > REMEMBERED_CHATS:
            self._bot_answers.popitem(last=False)

    async def parse(self, early: EarlyParse | None, text: str) -> NluResult:
        """The message's parse: the early one, or one started now (the guess was wrong)."""
        if early is None:
            self.counted("late")
            return await self.nlu.parse(text)
        self.counted("used")
        return await early.result()

    def done(self, early: EarlyParse | None) -> None:
        """At the end of the message, whatever its end: an early parse it did not use is
        dropped (counted when Rasa was still at it)."""
        if early is not None and early.drop():
            self.counted("dropped")

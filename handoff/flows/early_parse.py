"""A customer message's Rasa parse, run alongside its first Redis read.

Whether the bot will answer is known only once that read is back (is the update new, who
owns the conversation, is the customer within their rate), but the parse does not depend
on it: started at once, it runs while the read is under way, and the answer goes out one
round trip sooner. The read runs in a task of its own and the parse in the message's own
task, which under load finishes last and so goes on without waiting for its turn on the
event loop once more; its time counts against the message (``note_parse``, nlu/rasa/timing.py).

A worker remembers, per chat, whether the bot answered its last message, and parses early
only where it did (or the chat is new to it): a message for a person's thread is not
parsed. Where that guess was wrong, the parse is stopped as soon as the read shows it is
not needed, or done late; the read alone decides.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from nlu.errors import NluUnavailable
from nlu.rasa.client import Nlu
from nlu.rasa.result import NluResult

# Chats whose last outcome a worker remembers; a chat it forgot is parsed early again.
REMEMBERED_CHATS = 20_000

R = TypeVar("R")
# An early parse's outcome: its result, Rasa's failure, or None (not parsed, or dropped).
Parsed = NluResult | NluUnavailable | None


class EarlyParses:
    def __init__(self, nlu: Nlu, *, counted: Callable[[str], None] = lambda outcome: None) -> None:
        self.nlu = nlu
        self.counted = counted  # "used" | "dropped" | "late" (metrics)
        self._bot_answers: OrderedDict[str, bool] = OrderedDict()

    def worth(self, chat_id: str, text: str, *, media: bool) -> bool:
        return not media and bool(text) and self._bot_answers.get(chat_id, True)

    def note(self, chat_id: str, *, bot_answers: bool) -> None:
        """Where a message left the chat: does the bot answer its next one?"""
        self._bot_answers[chat_id] = bot_answers
        self._bot_answers.move_to_end(chat_id)
        while len(self._bot_answers) > REMEMBERED_CHATS:
            self._bot_answers.popitem(last=False)

    async def alongside(
        self, read: Awaitable[R], text: str, needed: Callable[[R], bool]
    ) -> tuple[R, Parsed]:
        """``read``'s value, and the parse of ``text`` made meanwhile. The parse stops as
        soon as the read fails or its value shows the parse is not ``needed``."""
        reading = asyncio.ensure_future(read)
        parsing = True

        def stop_unneeded(done: asyncio.Future[R]) -> None:
            if parsing and (done.cancelled() or done.exception() or not needed(done.result())):
                deadline.reschedule(asyncio.get_running_loop().time())

        parsed: Parsed = None
        try:
            async with asyncio.timeout(None) as deadline:
                reading.add_done_callback(stop_unneeded)
                try:
                    parsed = await self.nlu.parse(text)
                except NluUnavailable as exc:
                    parsed = exc
                finally:
                    parsing = False
        except TimeoutError:
            if not deadline.expired():
                reading.cancel()
                raise
            value = await reading  # the read's failure, if it failed
            self.counted("dropped")  # stopped: the read needs no parse
            return value, None
        except BaseException:  # the message itself was cancelled or failed
            reading.cancel()
            raise
        value = await reading
        if not needed(value):
            self.counted("dropped")  # the parse was quicker than the read
            return value, None
        return value, parsed

    async def parse(self, parsed: Parsed, text: str) -> NluResult:
        """The message's parse: the early one, or one made now (the guess was wrong)."""
        if parsed is None:
            self.counted("late")
            return await self.nlu.parse(text)
        self.counted("used")
        if isinstance(parsed, NluUnavailable):
            raise parsed
        return parsed

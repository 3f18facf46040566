"""Presses are answered as the inbox keeps them (bot/telegram/inbox.py, presses.py): once
kept, at once; a repeat of the same button is "already done" and queues nothing; an answer
that fails (too late, Telegram away) loses no work. On a real Valkey."""

from __future__ import annotations

import time
from typing import cast

from redis.asyncio import Redis
from telegram import Bot, Update
from telegram.error import BadRequest

from bot.telegram.inbox import TelegramInbox
from bot.telegram.presses import ALREADY_DONE
from handoff.queues.lanes import Lanes

CHAT = 8801


def _press(update_id: int, query_id: str, data: str = "store:riverside") -> Update:
    user = {"id": CHAT, "is_bot": False, "first_name": "Lena"}
    message = {
        "message_id": 7,
        "date": int(time.time()),
        "chat": {"id": CHAT, "type": "private", "first_name": "Lena"},
        "from": {"id": 1, "is_bot": True, "first_name": "Maple & Main"},
        "text": "Which store?",
    }
    query = {"id": query_id, "from": user, "message": message, "chat_instance": "1", "data": data}
    return Update.de_json({"update_id": update_id, "callback_query": query}, None)


class _Bot:
    def __init__(self, *, fail: bool = False) -> None:
        self.answers: list[tuple[str, str | None]] = []
        self.fail = fail

    async def answer_callback_query(self, query_id: str, text: str | None = None) -> bool:
        if self.fail:
            raise BadRequest("Query is too old and response timeout expired or query id is invalid")
        self.answers.append((query_id, text))
        return True


async def test_a_press_is_answered_once_kept_and_a_repeat_is_already_done(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="presses", name="in")
    bot = _Bot()
    inbox = TelegramInbox(lanes, bot=cast(Bot, bot))
    assert await inbox.put(_press(1, "q1"))
    assert bot.answers == [("q1", None)]
    assert await lanes.depth() == 1  # the work waits in the chat's lane

    assert not await inbox.put(_press(2, "q2"))  # the same button again
    assert not await inbox.put(_press(1, "q1"))  # Telegram sending the first one again
    assert bot.answers == [("q1", None), ("q2", ALREADY_DONE), ("q1", ALREADY_DONE)]
    assert await lanes.depth() == 1

    assert await inbox.put(_press(3, "q3", "store:downtown"))  # another button: its own
    assert bot.answers[-1] == ("q3", None)


async def test_an_answer_that_fails_loses_no_work(redis: Redis) -> None:
    lanes = Lanes(redis, prefix="presses-late", name="in")
    inbox = TelegramInbox(lanes, bot=cast(Bot, _Bot(fail=True)))
    assert await inbox.put(_press(1, "q1"))
    assert await lanes.depth() == 1

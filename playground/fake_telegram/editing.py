"""deleteMessage with Telegram's time limit, and the test hook that ages a message.

The Bot API (https://core.telegram.org/bots/api#deletemessage): "A message can only be
deleted if it was sent less than 48 hours ago"; past that, Telegram answers 400 "Bad
Request: message can't be deleted for everyone". A message already deleted, or never
sent, is "message to delete not found". editMessageText / editMessageCaption (with
"message to edit not found" and "message is not modified") are in sending.py.
"""

from __future__ import annotations

from playground.fake_telegram.params import Params, bad_request
from playground.fake_telegram.state import FakeState, now

DELETE_WINDOW_SECONDS = 48 * 3600


async def delete_message(state: FakeState, p: Params) -> bool:
    chat = state.chat_for(p.get_int("chat_id"))
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.find(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    if now() - int(message.api["date"]) >= DELETE_WINDOW_SECONDS:
        raise bad_request("message can't be deleted for everyone")
    # Kept in place (flagged) so message indices stay stable for pollers.
    message.deleted = True
    state.notifier.notify()
    return True


def age_message(state: FakeState, chat_id: int, message_id: int, seconds: float) -> None:
    """Make a message ``seconds`` older, as if sent that long before (tests of the window)."""
    message = state.chat_for(chat_id).find(message_id)
    if message is None:
        raise KeyError(f"no message {message_id} in chat {chat_id}")
    message.api["date"] = int(message.api["date"] - seconds)

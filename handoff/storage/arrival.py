"""What handling a customer's message starts from, read in one round trip.

Whether the update was handled before (store.py seen marks), the customer's profile with
what the message tells about them remembered, the chat's current conversation, and any
other module's reads for the message (its flood count, the live notices and pauses).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio.client import Pipeline

from handoff.core.state import Conversation
from handoff.storage.chat_lock import ChatLock
from handoff.storage.store import ConversationStore

# A module's read: queues its commands, and returns what makes its value of their replies.
Read = Callable[[Pipeline], Callable[[list[Any]], Awaitable[Any]]]

# The chat's current conversation. KEYS[1] the chat's key; ARGV[1] the prefix of the
# conversation keys (in the same hash slot: every key shares the store's prefix).
_CURRENT = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('GET', ARGV[1] .. id)
"""


@dataclass(frozen=True)
class Arrival:
    seen: bool  # the update was handled before
    profile: dict[str, str]  # the customer's profile, with what the update told us
    conversation: Conversation | None  # the chat's current conversation
    read: list[Any]  # the value of each read asked for


async def arrive(
    store: ConversationStore,
    chat_id: str,
    channel: str,
    event_id: str,
    profile: dict[str, str],
    reads: Iterable[Read] = (),
    *,
    lock: ChatLock | None = None,
) -> Arrival:
    """Remember ``profile`` and read the message's starting point (was ``event_id`` of
    ``channel`` handled already? the profile, the current conversation), with ``reads``. With
    ``lock`` (not yet held), the lock is tried for first in the same round trip; if it is
    busy, the chat's own reads are done again once it is taken (``reads`` are not: a flood
    count counts each message once)."""
    async with store.redis.pipeline(transaction=False) as pipe:
        if lock is not None:
            lock.try_in(pipe)
        mine = _queue_chat_reads(pipe, store, chat_id, (channel, event_id), profile)
        parts = [(len(pipe), read(pipe)) for read in reads]
        found = await pipe.execute()
    ends = [*(start for start, _ in parts[1:]), len(found)][: len(parts)]
    read = [await make(found[start:end]) for (start, make), end in zip(parts, ends, strict=True)]
    if lock is not None and not lock.tried(found[0]):
        await lock.take()
        async with store.redis.pipeline(transaction=False) as pipe:
            mine = _queue_chat_reads(pipe, store, chat_id, (channel, event_id), profile)
            found = await pipe.execute()
    seen, stored, raw_conv = (found[i] for i in mine)
    return Arrival(
        seen is not None,
        {_text(k): _text(v) for k, v in stored.items()},
        Conversation.from_dict(json.loads(raw_conv)) if raw_conv else None,
        read,
    )


def _queue_chat_reads(
    pipe: Pipeline,
    store: ConversationStore,
    chat_id: str,
    event: tuple[str, str],
    profile: dict[str, str],
) -> list[int]:
    """Queue the chat's seen mark, profile (written first) and current conversation; the
    places of the three among the replies."""
    keys = store.keys
    channel, event_id = event
    pipe.lpos(keys.seen(channel, chat_id), event_id)
    seen = len(pipe) - 1
    if profile:
        pipe.hset(keys.customer(chat_id), mapping=cast(Any, profile))
    pipe.hgetall(keys.customer(chat_id))
    pipe.eval(_CURRENT, 1, keys.chat(chat_id), keys.conv(""))
    return [seen, len(pipe) - 2, len(pipe) - 1]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

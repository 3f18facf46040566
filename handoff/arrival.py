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

from handoff.state import Conversation
from handoff.store import ConversationStore

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
    chat_id: int,
    update_id: int,
    profile: dict[str, str],
    reads: Iterable[Read] = (),
) -> Arrival:
    """Remember ``profile`` and read the message's starting point, with ``reads``."""
    key = store.key
    async with store.redis.pipeline(transaction=False) as pipe:
        pipe.lpos(key("seen", "tg", chat_id), str(update_id))
        if profile:
            pipe.hset(key("customer", chat_id), mapping=cast(Any, profile))
        pipe.hgetall(key("customer", chat_id))
        pipe.eval(_CURRENT, 1, key("chat", chat_id), key("conv", ""))
        mine = len(pipe)
        parts = [(len(pipe), read(pipe)) for read in reads]
        found = await pipe.execute()
    ends = [start for start, _ in parts[1:]] + [len(found)]
    raw_conv = found[mine - 1]
    return Arrival(
        found[0] is not None,
        {_text(k): _text(v) for k, v in found[mine - 2].items()},
        Conversation.from_dict(json.loads(raw_conv)) if raw_conv else None,
        [await make(found[start:end]) for (start, make), end in zip(parts, ends, strict=True)],
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

"""The conversation's topic: its last question's intent, store and day, and the greeting.

One key per chat, ``topic:{chat_id}`` (a customer's family in handoff/storage/families.py,
so ``/forget`` and ``tandem erase`` delete it; a TTL ends it on its own): a JSON object,
the conversation's id and the ``Topic`` (nlu/triage/topic.py). A topic belongs to one
conversation: read for another (a new one after Resolve), it is none.

For other flows: ``last_topic(store, chat_id)`` is the topic of the chat's latest
conversation, e.g. "the store the customer asked about last in this conversation"
(``topic.store_id``) for routing a handoff.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.asyncio.client import Pipeline

from handoff.storage.store import ConversationStore, Extra
from nlu.triage.topic import Topic

log = logging.getLogger(__name__)

# Long enough that a conversation resumed the next day is not greeted again; follow-ups
# themselves only lean on a topic for minutes (nlu/triage/topic.py FOLLOW_UP_SECONDS).
TOPIC_TTL_SECONDS = 2 * 24 * 3600


def _decode(raw: Any, conv_id: str | None) -> Topic | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if conv_id is not None and data.get("conv_id") != conv_id:
            return None  # another conversation's: this one starts afresh
        return Topic.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:  # a damaged topic is no topic
        log.warning("unreadable conversation topic ignored", extra={"error": str(exc)})
        return None


async def last_topic(
    store: ConversationStore, chat_id: str, conv_id: str | None = None
) -> Topic | None:
    """The chat's topic; with ``conv_id``, only if it is that conversation's."""
    return _decode(await store.redis.get(store.keys.topic(chat_id)), conv_id)


class Topics:
    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    async def read(self, chat_id: str, conv_id: str) -> Topic | None:
        return await last_topic(self.store, chat_id, conv_id)

    def save_in(self, chat_id: str, conv_id: str, topic: Topic) -> Extra:
        """The topic's write, for a save's transaction (store.py ``Extra``)."""
        key, value = self.store.keys.topic(chat_id), _encode(conv_id, topic)

        def write(pipe: Pipeline) -> None:
            pipe.set(key, value, ex=TOPIC_TTL_SECONDS)

        return write

    async def save(self, chat_id: str, conv_id: str, topic: Topic) -> None:
        key, value = self.store.keys.topic(chat_id), _encode(conv_id, topic)
        await self.store.redis.set(key, value, ex=TOPIC_TTL_SECONDS)


def _encode(conv_id: str, topic: Topic) -> str:
    return json.dumps({"conv_id": conv_id, **topic.to_dict()})

"""Bot answers marked wrong, kept as training examples to add (exported as Rasa NLU YAML)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from handoff.storage.keys import Keys

INTENT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Example:
    conversation: str
    index: int  # the bot answer's position in the transcript
    text: str  # what the customer wrote
    intent: str  # what it should have been
    was: str | None  # what Rasa said
    by: str
    at: float

    @property
    def key(self) -> str:
        # Erasure finds a conversation's examples by this prefix.
        return f"{self.conversation}:{self.index}"


class TrainingList:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.key = keys.training

    async def add(self, example: Example) -> None:
        await self.redis.hset(self.key, example.key, json.dumps(asdict(example)))

    async def all(self) -> list[Example]:
        raw = await self.redis.hgetall(self.key)
        examples = [Example(**json.loads(v)) for v in raw.values()]
        return sorted(examples, key=lambda e: e.at, reverse=True)

    async def remove(self, key: str) -> bool:
        return bool(await self.redis.hdel(self.key, key))


def rasa_yaml(examples: Iterable[Example]) -> str:
    """Rasa 3 NLU training data, one block per intent, ready to merge into data/nlu.yml."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        text = _plain(example.text)
        if text and text not in by_intent[example.intent]:
            by_intent[example.intent].append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    # One line, and no [..](..) that Rasa would read as an entity annotation.
    return " ".join(text.replace("[", "(").replace("]", ")").split())

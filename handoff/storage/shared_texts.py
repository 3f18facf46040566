"""Bot answers' texts, stored once for every transcript that has them.

``text:{digest}`` (a global family of handoff/storage/families.py) holds a text with the
customer's name marked (handoff/storage/transcript_codec): written once with SET NX and
never changed, since its key is its content's digest. It holds nothing about a
customer, so erasing one leaves it. Texts read or written here are
kept in memory: they cannot change, and the same few hundred answers come up all day.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff.storage.keys import Keys

KEEP_IN_MEMORY = 2_000


class SharedTexts:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._texts: OrderedDict[str, str] = OrderedDict()  # digest -> text, newest last
        self._pending: dict[str, str] = {}  # queued, not yet known to be stored

    def key(self, digest: str) -> str:
        return self.keys.shared_text(digest)

    def queue(self, pipe: Pipeline, digest: str, text: str) -> None:
        """Store the text in the caller's transaction, unless it is known to be there."""
        if digest not in self._texts:
            pipe.set(self.key(digest), text, nx=True)
            self._pending[digest] = text

    def stored(self, *digests: str) -> None:
        """The transaction that queued them was applied."""
        for digest in digests:
            text = self._pending.pop(digest, None)
            if text is not None:
                self._keep(digest, text)

    async def get(self, digests: Iterable[str]) -> dict[str, str]:
        wanted = set(digests)
        found = {d: self._texts[d] for d in wanted if d in self._texts}
        missing = sorted(wanted - found.keys())
        if missing:
            stored = await self.redis.mget([self.key(d) for d in missing])
            for digest, raw in zip(missing, stored, strict=True):
                if raw is not None:
                    found[digest] = self._keep(digest, _text(raw))
        return found

    def _keep(self, digest: str, text: str) -> str:
        self._texts[digest] = text
        self._texts.move_to_end(digest)
        while len(self._texts) > KEEP_IN_MEMORY:
            self._texts.popitem(last=False)
        return text


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value

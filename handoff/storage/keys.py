"""Redis key names of the review side (all under the store's prefix, ``tandem:``;
``{tandem}:`` on a Redis Cluster: handoff/storage/redis_url.py ``key_prefix``).

sum:{id}              JSON summary row of one conversation (handoff/core/summary.py)
idx:{field}:{value}   sorted sets of conversation ids by opening time, one per filter value
idx:ws:{block}:{word} the search words' index: per 512 conversation numbers, a set of
                      offsets (handoff/storage/word_index.py)
idx:wlayout           the word index's layout version (2: blocks; 1 was idx:w:{word})
idx:chat:{chat_id}    one customer's conversations (erasure)
idx:last              conversations by their last activity (retention)
idx:reasons           every handoff reason seen (the filter's choices)
audit                 the audit log, a stream: entries are only ever appended
review:training       bot answers marked wrong: training examples to add (hash)
rl:{kind}:{value}     login attempt counters
"""

from __future__ import annotations

from handoff.storage.redis_url import KEY_PREFIX


class Keys:
    def __init__(self, prefix: str = KEY_PREFIX) -> None:
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    # The conversation store's own keys (handoff/storage/store.py), read and erased here.
    def conv(self, conv_id: str) -> str:
        return self._k("conv", conv_id)

    def log(self, conv_id: str) -> str:
        return self._k("log", conv_id)

    def chat(self, chat_id: int) -> str:
        return self._k("chat", chat_id)

    def thread(self, channel: str, ts: str) -> str:
        return self._k("thread", channel, ts)

    def customer(self, chat_id: int) -> str:
        return self._k("customer", chat_id)

    @property
    def convs(self) -> str:
        return self._k("convs")

    @property
    def sequence(self) -> str:
        """The last conversation number handed out."""
        return self._k("seq")

    # Review keys.
    def summary(self, conv_id: str) -> str:
        return self._k("sum", conv_id)

    def index(self, field: str, value: object) -> str:
        return self._k("idx", field, value)

    def word(self, word: str, block: int) -> str:
        return self._k("idx", "ws", block, word)

    def old_word(self, word: str) -> str:
        """A word's sorted set of ids before the blocks (read once, to move them)."""
        return self._k("idx", "w", word)

    @property
    def word_layout(self) -> str:
        return self._k("idx", "wlayout")

    def by_chat(self, chat_id: int) -> str:
        return self._k("idx", "chat", chat_id)

    @property
    def last_activity(self) -> str:
        return self._k("idx", "last")

    @property
    def reasons(self) -> str:
        return self._k("idx", "reasons")

    @property
    def audit(self) -> str:
        return self._k("audit")

    @property
    def training(self) -> str:
        return self._k("review", "training")

    def attempts(self, kind: str, value: str) -> str:
        return self._k("rl", kind, value)

    def scratch(self, token: str) -> str:
        return self._k("tmp", "q", token)

    @property
    def retention_lock(self) -> str:
        return self._k("lock", "retention")

"""Every Redis key name of Tandem's, in one registry: each family once, with its scope.

Every key starts with the store's prefix, ``tandem`` (``{tandem}`` on a Redis Cluster:
handoff/storage/redis_url.py ``key_prefix``), then a family's pattern: ``conv:{conv_id}``
is ``tandem:conv:c12``. Storage, the queues and the review side build keys only through
``Keys`` (a family's builder), so a name is spelled here and nowhere else.

A family's scope says whose data it is (handoff/storage/key_family.py): one customer's
(``CHAT``: erased with them, ``tandem erase --customer`` and ``/forget``), one
conversation's (``CONVERSATION``: erased with it, and by retention) or nobody's in
particular (``GLOBAL``: shared state, queues, and the indexes erasure removes members
from). Erasure takes what to delete from here (``Keys.of_chat``,
``Keys.of_conversation``); tests/unit/handoff/storage/test_keys.py and
tests/e2e/test_key_registry.py fail on a key no family describes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from handoff.core.addresses import channel_of
from handoff.core.state import ThreadRef
from handoff.storage.key_family import ANY, CHANNEL_NAME, NUMBER, Family, Scope, check
from handoff.storage.redis_url import KEY_PREFIX

CHAT, CONVERSATION, GLOBAL = Scope.CHAT, Scope.CONVERSATION, Scope.GLOBAL
FILTERS = ("status", "store", "emp", "reason", "sent", "rating", "flag")
QUEUES = ("in", "out")  # the worker's two queues (handoff/queues/wiring.py)

# One customer's (a Telegram chat is a customer).
CUSTOMER = Family("customer", CHAT, "customer:{chat_id}", "what we remember of them (hash)")
CURRENT = Family("current", CHAT, "chat:{chat_id}", "id of the chat's current conversation")
BY_CHAT = Family("by_chat", CHAT, "idx:chat:{chat_id}", "their conversations (zset)")
SEEN = Family(
    "seen", CHAT, "seen:{kind}:{chat_id}", "latest handled update / event ids (dedupe)",
    {"kind": CHANNEL_NAME},  # a customer channel's name ("tg"), or "slack"
)  # fmt: skip
MESSAGE_MAP = Family("message_map", CHAT, "tgmsg:{chat_id}", "message id -> conv, Slack post")
OLD_MESSAGE_MAP = Family(
    "old_message_map", CHAT, "tgmsg:{chat_id}:{message_id}", "one message's map (old layout)",
    {"message_id": NUMBER},
)  # fmt: skip
FLOOD = Family(
    "flood", CHAT, "flood:{chat_id}:{window}", "messages in a clock minute (storage/flood.py)",
    {"window": NUMBER},
)  # fmt: skip
RATING_COMMENT = Family(
    "rating_comment", CHAT, "rating:comment:{chat_id}", "an armed comment capture (with a TTL)"
)
CHAT_LOCK = Family(
    "chat_lock", CHAT, "lock:chat:{chat_id}", "the chat's lock: erasure holds it, so leaves it",
    erased=False,
)  # fmt: skip

# One conversation's.
CONV = Family("conv", CONVERSATION, "conv:{conv_id}", "JSON of the conversation's current state")
LOG = Family("log", CONVERSATION, "log:{conv_id}", "the transcript, an append-only stream")
SUMMARY = Family("summary", CONVERSATION, "sum:{conv_id}", "its review row (core/summary.py)")
THREAD = Family(
    "thread", CONVERSATION, "thread:{channel}:{ts}", "the conversation of a Slack thread",
    {"ts": ANY},  # also a queued post's stand-in, q:{job id} (handoff/queues/outbox.py)
)  # fmt: skip

# Nobody's in particular.
CONVS = Family("convs", GLOBAL, "convs", "every conversation id by opening time (zset)")
SEQUENCE = Family("sequence", GLOBAL, "seq", "the last conversation number handed out")
OPEN = Family("open", GLOBAL, "open", "conversations each employee owns now (hash)")
SHARED_TEXT = Family("shared_text", GLOBAL, "text:{digest}", "a bot answer's shared text")
INDEX = Family(
    "index", GLOBAL, "idx:{field}:{value}", "ids by opening time, one zset per filter value",
    {"field": FILTERS, "value": ANY},
)  # fmt: skip
WORD = Family(
    "word", GLOBAL, "idx:ws:{block}:{word}", "a word's offsets in 512 ids (word_index.py)",
    {"block": NUMBER, "word": ANY},
)  # fmt: skip
OLD_WORD = Family(
    "old_word", GLOBAL, "idx:w:{word}", "a word's ids before the blocks (moved once)",
    {"word": ANY},
)  # fmt: skip
WORD_LAYOUT = Family("word_layout", GLOBAL, "idx:wlayout", "the word index's layout version")
LAST_ACTIVITY = Family("last_activity", GLOBAL, "idx:last", "ids by last activity (retention)")
REASONS = Family("reasons", GLOBAL, "idx:reasons", "every handoff reason seen (the filter)")
AUDIT = Family("audit", GLOBAL, "audit", "the audit log, an append-only stream")
TRAINING = Family("training", GLOBAL, "review:training", "answers marked wrong (hash)")
ATTEMPTS = Family(
    "attempts", GLOBAL, "rl:{kind}:{value}", "failed review logins (review/ratelimit.py)",
    {"kind": ("ip", "user"), "value": ANY},
)  # fmt: skip
SCRATCH = Family("scratch", GLOBAL, "tmp:q:{token}", "a search's intersection, for seconds")
SCRATCH_WORDS = Family("scratch_words", GLOBAL, "tmp:q:{token}:words", "a search's word matches")
RETENTION_LOCK = Family("retention_lock", GLOBAL, "lock:retention", "the retention run's lease")
PAUSE = Family("pause", GLOBAL, "pause:{scope}", "a store's pause, or all's (storage/controls.py)")
NOTICES = Family("notices", GLOBAL, "notices", "notices posted from Slack (hash)")
NOTICE_SEQ = Family("notice_seq", GLOBAL, "notice_seq", "the last Slack notice number")
RESPONSE = Family("response", GLOBAL, "response:{store_id}", "a store's latest response times")
TIMERS = Family("timers", GLOBAL, "timers", "timers by due time (queues/timers.py)")
HELD = Family("held", GLOBAL, "guard:held:{hold_id}", "a reply the guard holds back")
HELD_ANSWER = Family("held_answer", GLOBAL, "guard:answered:{hold_id}", "a hold's first answer")

# The inbox's and the outbox's lanes (handoff/queues/lanes.py), by their part after the
# queue's name.
QUEUE = {"queue": QUEUES}
QUEUE_PARTS = {
    family.pattern.split(":")[1]: family
    for family in (
        Family("queue_due", GLOBAL, "{queue}:due", "lane -> when it may next be worked", QUEUE),
        Family("queue_owner", GLOBAL, "{queue}:owner", "lane -> its holder's token", QUEUE),
        Family(
            "queue_lane",
            GLOBAL,
            "{queue}:lane:{lane}",
            "a lane's job ids (tg:42, slack:c12)",
            {**QUEUE, "lane": ANY},
        ),
        Family("queue_job", GLOBAL, "{queue}:job:{job_id}", "one job (hash)", QUEUE),
        Family(
            "queue_marks",
            GLOBAL,
            "{queue}:marks:{n}",
            "dedupe marks, MARK_SETS zsets",
            {**QUEUE, "n": NUMBER},
        ),
        Family("queue_count", GLOBAL, "{queue}:count", "jobs waiting (the depth gauge)", QUEUE),
        Family("queue_dead", GLOBAL, "{queue}:dead", "jobs given up on, a stream", QUEUE),
        Family("queue_posted", GLOBAL, "{queue}:posted:{job_id}", "a post's real ts", QUEUE),
        Family("queue_pace", GLOBAL, "{queue}:pace", "Telegram's token buckets", QUEUE),
    )
}

FAMILIES: tuple[Family, ...] = (
    *(CUSTOMER, CURRENT, BY_CHAT, SEEN, MESSAGE_MAP, OLD_MESSAGE_MAP, FLOOD, RATING_COMMENT),
    CHAT_LOCK,
    *(CONV, LOG, SUMMARY, THREAD),
    *(CONVS, SEQUENCE, OPEN, SHARED_TEXT, INDEX, WORD, OLD_WORD, WORD_LAYOUT, LAST_ACTIVITY),
    *(REASONS, AUDIT, TRAINING, ATTEMPTS, SCRATCH, SCRATCH_WORDS, RETENTION_LOCK),
    *(PAUSE, NOTICES, NOTICE_SEQ, RESPONSE, TIMERS, HELD, HELD_ANSWER),
    *QUEUE_PARTS.values(),
)
check(FAMILIES)


@dataclass(frozen=True)
class Named:
    """The keys of one customer or conversation: named outright, or found by SCAN."""

    keys: tuple[str, ...]
    patterns: tuple[str, ...]  # MATCH patterns of the families with a part erasure can't know


class Keys:
    """The registry's builders, under one prefix."""

    def __init__(self, prefix: str = KEY_PREFIX) -> None:
        self.prefix = prefix

    # One customer's.
    def customer(self, chat_id: str) -> str:
        return CUSTOMER.key(self.prefix, chat_id=chat_id)

    def chat(self, chat_id: str) -> str:
        return CURRENT.key(self.prefix, chat_id=chat_id)

    def by_chat(self, chat_id: str) -> str:
        return BY_CHAT.key(self.prefix, chat_id=chat_id)

    def seen(self, kind: str, chat_id: str) -> str:
        return SEEN.key(self.prefix, kind=kind, chat_id=chat_id)

    def message_map(self, chat_id: str) -> str:
        return MESSAGE_MAP.key(self.prefix, chat_id=chat_id)

    def old_message_map(self, chat_id: str, message_id: int) -> str:
        return OLD_MESSAGE_MAP.key(self.prefix, chat_id=chat_id, message_id=message_id)

    def flood(self, chat_id: str, window: int) -> str:
        return FLOOD.key(self.prefix, chat_id=chat_id, window=window)

    def rating_comment(self, chat_id: str) -> str:
        return RATING_COMMENT.key(self.prefix, chat_id=chat_id)

    def chat_lock(self, chat_id: str) -> str:
        return CHAT_LOCK.key(self.prefix, chat_id=chat_id)

    # One conversation's.
    def conv(self, conv_id: str) -> str:
        return CONV.key(self.prefix, conv_id=conv_id)

    def log(self, conv_id: str) -> str:
        return LOG.key(self.prefix, conv_id=conv_id)

    def summary(self, conv_id: str) -> str:
        return SUMMARY.key(self.prefix, conv_id=conv_id)

    def thread(self, channel: str, ts: str) -> str:
        return THREAD.key(self.prefix, channel=channel, ts=ts)

    # Nobody's in particular.
    @property
    def convs(self) -> str:
        return CONVS.key(self.prefix)

    @property
    def sequence(self) -> str:
        """The last conversation number handed out."""
        return SEQUENCE.key(self.prefix)

    @property
    def open_counts(self) -> str:
        return OPEN.key(self.prefix)

    def shared_text(self, digest: str) -> str:
        return SHARED_TEXT.key(self.prefix, digest=digest)

    def index(self, field: str, value: object) -> str:
        return INDEX.key(self.prefix, field=field, value=value)

    def word(self, word: str, block: int) -> str:
        return WORD.key(self.prefix, block=block, word=word)

    def old_word(self, word: str) -> str:
        """A word's sorted set of ids before the blocks (read once, to move them)."""
        return OLD_WORD.key(self.prefix, word=word)

    @property
    def word_layout(self) -> str:
        return WORD_LAYOUT.key(self.prefix)

    @property
    def last_activity(self) -> str:
        return LAST_ACTIVITY.key(self.prefix)

    @property
    def reasons(self) -> str:
        return REASONS.key(self.prefix)

    @property
    def audit(self) -> str:
        return AUDIT.key(self.prefix)

    @property
    def training(self) -> str:
        return TRAINING.key(self.prefix)

    def attempts(self, kind: str, value: str) -> str:
        return ATTEMPTS.key(self.prefix, kind=kind, value=value)

    def scratch(self, token: str) -> str:
        return SCRATCH.key(self.prefix, token=token)

    def scratch_words(self, token: str) -> str:
        return SCRATCH_WORDS.key(self.prefix, token=token)

    @property
    def retention_lock(self) -> str:
        return RETENTION_LOCK.key(self.prefix)

    def pause(self, scope: str) -> str:
        return PAUSE.key(self.prefix, scope=scope)

    @property
    def notices(self) -> str:
        return NOTICES.key(self.prefix)

    @property
    def notice_seq(self) -> str:
        return NOTICE_SEQ.key(self.prefix)

    def response_times(self, store_id: str) -> str:
        return RESPONSE.key(self.prefix, store_id=store_id)

    @property
    def timers(self) -> str:
        return TIMERS.key(self.prefix)

    def held(self, hold_id: str) -> str:
        return HELD.key(self.prefix, hold_id=hold_id)

    def held_answer(self, hold_id: str) -> str:
        return HELD_ANSWER.key(self.prefix, hold_id=hold_id)

    def queue(self, queue: str, part: str, *rest: str) -> str:
        """A key of a queue's lanes by its part after the queue's name (``due``, ``lane``,
        ``job``, ...) and that part's own values; an empty last value gives the stem the
        lane scripts add an id to."""
        family = QUEUE_PARTS[part]
        return family.key(self.prefix, **dict(zip(family.fields, (queue, *rest), strict=True)))

    # What erasure deletes, and what a key is.
    def of_chat(self, chat_id: str) -> Named:
        """The keys of every family of the customer's (``CHAT``) that erasure deletes. Their
        dedupe marks are their own channel's and Slack's (a seen mark's kinds)."""
        kinds: dict[str, tuple[str, ...]] = {"kind": (channel_of(chat_id), "slack")}
        return self._named(CHAT, {"chat_id": chat_id}, kinds)

    def of_conversation(self, conv_id: str, thread: ThreadRef | None = None) -> Named:
        """The keys of every family of the conversation's; a family named after its Slack
        thread only when it has one."""
        known: dict[str, object] = {"conv_id": conv_id}
        if thread is not None:
            known.update(channel=thread.channel, ts=thread.ts)
        return self._named(CONVERSATION, known)

    def family_of(self, key: str) -> Family | None:
        """The family a key belongs to; None for a key no family describes."""
        return next((f for f in FAMILIES if f.matches(self.prefix, key)), None)

    def _named(
        self,
        scope: Scope,
        known: dict[str, object],
        choices: dict[str, tuple[str, ...]] | None = None,
    ) -> Named:
        keys: list[str] = []
        patterns: list[str] = []
        for family in FAMILIES:
            if family.scope is not scope or not family.erased:
                continue
            if scope is CONVERSATION and not set(family.fields) <= known.keys():
                continue  # a thread's key, of a conversation without one
            for values in _choices(family, known, choices or {}):
                if set(family.fields) <= values.keys():
                    keys.append(family.key(self.prefix, **values))
                else:
                    patterns.append(family.glob(self.prefix, **values))
        return Named(tuple(keys), tuple(patterns))


def _choices(
    family: Family, known: dict[str, object], choices: dict[str, tuple[str, ...]]
) -> Iterator[dict[str, object]]:
    """``known``, with each field of a fixed set of values (its own, or given in ``choices``)
    set to each of them in turn."""
    fixed = [(n, choices.get(n) or family.choices(n)) for n in family.fields if n not in known]
    fixed = [(name, values) for name, values in fixed if values]
    for combination in itertools.product(*(values for _, values in fixed)):
        yield {**known, **dict(zip((n for n, _ in fixed), combination, strict=True))}

"""Key names from the registry (handoff/storage/families.py), under the store's prefix:
``Keys`` builds every key Tandem uses, and names what erasure deletes of one customer
(``of_chat``) or one conversation (``of_conversation``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from handoff.core.addresses import channel_of
from handoff.core.state import ThreadRef
from handoff.storage.connection.redis_url import KEY_PREFIX
from handoff.storage.families import (
    AUDIT,
    BY_CHAT,
    CHAT,
    CHAT_LOCK,
    CONV,
    CONVERSATION,
    CONVS,
    CURRENT,
    CUSTOMER,
    DESK_MAP,
    FAILED_LOGINS,
    FAMILIES,
    FLOOD,
    HELD,
    HELD_ANSWER,
    INDEX,
    LAST_ACTIVITY,
    LOG,
    LOGIN_BACKOFF,
    MESSAGE_MAP,
    NOTICE_SEQ,
    NOTICES,
    OLD_MESSAGE_MAP,
    OLD_WORD,
    OPEN,
    PAUSE,
    QUEUE_PARTS,
    RATING_COMMENT,
    REASONS,
    RESPONSE,
    RETENTION_LOCK,
    REVIEW_SESSION,
    REVIEW_USER_SESSIONS,
    RUN,
    SCRATCH,
    SCRATCH_WORDS,
    SEEN,
    SEQUENCE,
    SHARED_TEXT,
    SIGNED,
    SUMMARY,
    THREAD,
    TIMERS,
    TOPIC,
    TRAINING,
    WORD,
    WORD_LAYOUT,
)
from handoff.storage.key_family import Family, Scope


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

    def desk_map(self, chat_id: str) -> str:
        return DESK_MAP.key(self.prefix, chat_id=chat_id)

    def old_message_map(self, chat_id: str, message_id: int) -> str:
        return OLD_MESSAGE_MAP.key(self.prefix, chat_id=chat_id, message_id=message_id)

    def flood(self, chat_id: str, window: int) -> str:
        return FLOOD.key(self.prefix, chat_id=chat_id, window=window)

    def rating_comment(self, chat_id: str) -> str:
        return RATING_COMMENT.key(self.prefix, chat_id=chat_id)

    def topic(self, chat_id: str) -> str:
        """The chat's last question (handoff/storage/live/topics.py)."""
        return TOPIC.key(self.prefix, chat_id=chat_id)

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
    def run(self) -> str:
        """The run id of whoever started the embedded Valkey (connection/run_id.py)."""
        return RUN.key(self.prefix)

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

    def login_backoff(self, digest: str) -> str:
        return LOGIN_BACKOFF.key(self.prefix, digest=digest)

    def review_session(self, digest: str) -> str:
        return REVIEW_SESSION.key(self.prefix, digest=digest)

    def review_user_sessions(self, user: str) -> str:
        return REVIEW_USER_SESSIONS.key(self.prefix, user=user)

    def failed_logins(self, day: int) -> str:
        return FAILED_LOGINS.key(self.prefix, day=day)

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

    def signed(self, digest: str) -> str:
        """A signed Slack request already seen (handoff/storage/live/replays.py)."""
        return SIGNED.key(self.prefix, digest=digest)

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

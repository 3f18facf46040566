"""Every Redis key family of Tandem's, declared once, with its scope: the registry.

Every key starts with the store's prefix, ``tandem`` (``{tandem}`` on a Redis Cluster:
handoff/storage/connection/redis_url.py ``key_prefix``), then a family's pattern: ``conv:{conv_id}``
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

from handoff.storage.key_family import ANY, CHANNEL_NAME, NUMBER, Family, Scope, check

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
DESK_MAP = Family(
    "desk_map", CHAT, "deskmsg:{chat_id}", "employee reply's Slack ts -> customer's messages",
)  # fmt: skip
FLOOD = Family(
    "flood", CHAT, "flood:{chat_id}:{window}", "messages in a clock minute (storage/flood.py)",
    {"window": NUMBER},
)  # fmt: skip
RATING_COMMENT = Family(
    "rating_comment", CHAT, "rating:comment:{chat_id}", "an armed comment capture (with a TTL)"
)
TOPIC = Family(
    "topic", CHAT, "topic:{chat_id}", "the last question's intent, store, day (live/topics.py)"
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
RUN = Family("run", GLOBAL, "run", "the run id of the embedded Valkey's starter (run_id.py)")
LAST_ACTIVITY = Family("last_activity", GLOBAL, "idx:last", "ids by last activity (retention)")
REASONS = Family("reasons", GLOBAL, "idx:reasons", "every handoff reason seen (the filter)")
AUDIT = Family("audit", GLOBAL, "audit", "the audit log, an append-only stream")
TRAINING = Family("training", GLOBAL, "review:training", "answers marked wrong (hash)")
LOGIN_BACKOFF = Family(
    "login_backoff", GLOBAL, "review:backoff:{digest}",
    "one account's sign-ins from one address, and its back-off (records/login_backoff.py)",
)  # fmt: skip
REVIEW_SESSION = Family(
    "review_session", GLOBAL, "review:session:{digest}", "a supervisor's signed-in session (hash)"
)
REVIEW_USER_SESSIONS = Family(
    "review_user_sessions", GLOBAL, "review:sessions:{user}", "a supervisor's sessions (set)"
)
FAILED_LOGINS = Family(
    "failed_logins", GLOBAL, "audit:failed:{day}", "failed sign-ins per address and hour (hash)",
    {"day": NUMBER},
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
SIGNED = Family(
    "signed", GLOBAL, "slack:signed:{digest}", "a signed Slack request seen (replays, TTL)"
)

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
    DESK_MAP,
    TOPIC,
    CHAT_LOCK,
    *(CONV, LOG, SUMMARY, THREAD),
    *(CONVS, SEQUENCE, OPEN, SHARED_TEXT, INDEX, WORD, OLD_WORD, WORD_LAYOUT, LAST_ACTIVITY),
    RUN,
    *(REASONS, AUDIT, TRAINING, SCRATCH, SCRATCH_WORDS, RETENTION_LOCK),
    *(LOGIN_BACKOFF, REVIEW_SESSION, REVIEW_USER_SESSIONS, FAILED_LOGINS),
    *(PAUSE, NOTICES, NOTICE_SEQ, RESPONSE, TIMERS, HELD, HELD_ANSWER),
    SIGNED,
    *QUEUE_PARTS.values(),
)
check(FAMILIES)

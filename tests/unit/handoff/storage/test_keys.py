"""The key registry: each family's builder and pattern agree, scopes say whose data a key
is, erasure's keys come from it, and the key names stay those data was written under.

The scenario half of the check (every key a real run writes is a registered family) is
tests/e2e/test_key_registry.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handoff.core.state import ThreadRef
from handoff.storage import families as registry
from handoff.storage.connection.redis_url import CLUSTER_KEY_PREFIX, KEY_PREFIX
from handoff.storage.families import FAMILIES, QUEUE_PARTS
from handoff.storage.key_family import ANY, CHANNEL_NAME, CHAT_ID, NUMBER, ONE_PART, Family, Scope
from handoff.storage.keys import Keys

K = Keys()
SAMPLE = {ONE_PART: "x1", ANY: "a:b", NUMBER: "12", CHAT_ID: "-42", CHANNEL_NAME: "web"}

# Every builder, and the family its keys belong to; together they name every family.
BUILDERS: list[tuple[Callable[[Keys], str], Family]] = [
    (lambda k: k.customer("42"), registry.CUSTOMER),
    (lambda k: k.chat("42"), registry.CURRENT),
    (lambda k: k.by_chat("42"), registry.BY_CHAT),
    (lambda k: k.seen("tg", "42"), registry.SEEN),
    (lambda k: k.message_map("42"), registry.MESSAGE_MAP),
    (lambda k: k.old_message_map("42", 7), registry.OLD_MESSAGE_MAP),
    (lambda k: k.desk_map("42"), registry.DESK_MAP),
    (lambda k: k.flood("42", 29925600), registry.FLOOD),
    (lambda k: k.rating_comment("42"), registry.RATING_COMMENT),
    (lambda k: k.topic("42"), registry.TOPIC),
    (lambda k: k.chat_lock("42"), registry.CHAT_LOCK),
    (lambda k: k.conv("c12"), registry.CONV),
    (lambda k: k.log("c12"), registry.LOG),
    (lambda k: k.summary("c12"), registry.SUMMARY),
    (lambda k: k.thread("C0DESK", "1700000000.000100"), registry.THREAD),
    (lambda k: k.convs, registry.CONVS),
    (lambda k: k.sequence, registry.SEQUENCE),
    (lambda k: k.open_counts, registry.OPEN),
    (lambda k: k.shared_text("9f86d081884c7d65"), registry.SHARED_TEXT),
    (lambda k: k.index("store", "downtown"), registry.INDEX),
    (lambda k: k.word("drill", 3), registry.WORD),
    (lambda k: k.old_word("drill"), registry.OLD_WORD),
    (lambda k: k.word_layout, registry.WORD_LAYOUT),
    (lambda k: k.last_activity, registry.LAST_ACTIVITY),
    (lambda k: k.reasons, registry.REASONS),
    (lambda k: k.audit, registry.AUDIT),
    (lambda k: k.training, registry.TRAINING),
    (lambda k: k.scratch("ab12"), registry.SCRATCH),
    (lambda k: k.scratch_words("ab12"), registry.SCRATCH_WORDS),
    (lambda k: k.retention_lock, registry.RETENTION_LOCK),
    (lambda k: k.pause("all"), registry.PAUSE),
    (lambda k: k.notices, registry.NOTICES),
    (lambda k: k.notice_seq, registry.NOTICE_SEQ),
    (lambda k: k.response_times("riverside"), registry.RESPONSE),
    (lambda k: k.timers, registry.TIMERS),
    (lambda k: k.held("Zx_9-a"), registry.HELD),
    (lambda k: k.held_answer("Zx_9-a"), registry.HELD_ANSWER),
    (lambda k: k.login_backoff("9f86d081"), registry.LOGIN_BACKOFF),
    (lambda k: k.review_session("9f86d081"), registry.REVIEW_SESSION),
    (lambda k: k.review_user_sessions("alice"), registry.REVIEW_USER_SESSIONS),
    (lambda k: k.failed_logins(20261207), registry.FAILED_LOGINS),
    (lambda k: k.signed("5e0c1d2b"), registry.SIGNED),
    (lambda k: k.queue("out", "due"), QUEUE_PARTS["due"]),
    (lambda k: k.queue("in", "owner"), QUEUE_PARTS["owner"]),
    (lambda k: k.queue("out", "lane", "tg:42"), QUEUE_PARTS["lane"]),
    (lambda k: k.queue("out", "job", "a1b2"), QUEUE_PARTS["job"]),
    (lambda k: k.queue("in", "marks", "1023"), QUEUE_PARTS["marks"]),
    (lambda k: k.queue("in", "count"), QUEUE_PARTS["count"]),
    (lambda k: k.queue("out", "dead"), QUEUE_PARTS["dead"]),
    (lambda k: k.queue("out", "posted", "a1b2"), QUEUE_PARTS["posted"]),
    (lambda k: k.queue("out", "pace"), QUEUE_PARTS["pace"]),
    (lambda k: k.run, registry.RUN),
]


def _sample(family: Family) -> dict[str, object]:
    """A value of each field's shape."""
    values: dict[str, object] = {}
    for name in family.fields:
        shape = family.shape(name)
        values[name] = shape[-1] if isinstance(shape, tuple) else SAMPLE[shape]
    return values


@pytest.mark.parametrize("prefix", [KEY_PREFIX, CLUSTER_KEY_PREFIX])
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_a_familys_builder_and_pattern_agree_and_no_other_family_claims_its_keys(
    family: Family, prefix: str
) -> None:
    key = family.key(prefix, **_sample(family))
    assert family.matches(prefix, key)
    assert [f.name for f in FAMILIES if f.matches(prefix, key)] == [family.name]
    assert Keys(prefix).family_of(key) is family


@pytest.mark.parametrize(("build", "family"), BUILDERS, ids=[f.name for _, f in BUILDERS])
def test_each_builder_makes_keys_of_its_family(
    build: Callable[[Keys], str], family: Family
) -> None:
    assert K.family_of(build(K)) is family
    assert Keys(CLUSTER_KEY_PREFIX).family_of(build(Keys(CLUSTER_KEY_PREFIX))) is family


def test_every_family_has_a_builder() -> None:
    assert {f.name for _, f in BUILDERS} == {f.name for f in FAMILIES}


def test_keys_outside_every_family_are_not_claimed() -> None:
    for key in [
        "tandem:conv",  # a part missing
        "tandem:conv:c1:extra",
        "tandem:seen:Telegram:42",  # not a channel's name, so not a kind of seen mark
        "tandem:flood:42:now",  # a window is a number
        "tandem:idx:colour:red",  # not a filter
        "tandem:lane:tg:42",  # not under a queue's name
        "tandem:sideways:42",
        "other:conv:c1",  # not under the prefix
        "{tandem}:conv:c1",  # the cluster's prefix, on a single Redis
    ]:
        assert K.family_of(key) is None, key


def test_the_key_names_are_those_written_before_the_registry() -> None:
    """Data the running version wrote must still be found: the names may not move."""
    assert [build(K) for build, _ in BUILDERS] == [
        "tandem:customer:42",
        "tandem:chat:42",
        "tandem:idx:chat:42",
        "tandem:seen:tg:42",
        "tandem:tgmsg:42",
        "tandem:tgmsg:42:7",
        "tandem:deskmsg:42",
        "tandem:flood:42:29925600",
        "tandem:rating:comment:42",
        "tandem:topic:42",
        "tandem:lock:chat:42",
        "tandem:conv:c12",
        "tandem:log:c12",
        "tandem:sum:c12",
        "tandem:thread:C0DESK:1700000000.000100",
        "tandem:convs",
        "tandem:seq",
        "tandem:open",
        "tandem:text:9f86d081884c7d65",
        "tandem:idx:store:downtown",
        "tandem:idx:ws:3:drill",
        "tandem:idx:w:drill",
        "tandem:idx:wlayout",
        "tandem:idx:last",
        "tandem:idx:reasons",
        "tandem:audit",
        "tandem:review:training",
        "tandem:tmp:q:ab12",
        "tandem:tmp:q:ab12:words",
        "tandem:lock:retention",
        "tandem:pause:all",
        "tandem:notices",
        "tandem:notice_seq",
        "tandem:response:riverside",
        "tandem:timers",
        "tandem:guard:held:Zx_9-a",
        "tandem:guard:answered:Zx_9-a",
        "tandem:review:backoff:9f86d081",
        "tandem:review:session:9f86d081",
        "tandem:review:sessions:alice",
        "tandem:audit:failed:20261207",
        "tandem:slack:signed:5e0c1d2b",
        "tandem:out:due",
        "tandem:in:owner",
        "tandem:out:lane:tg:42",
        "tandem:out:job:a1b2",
        "tandem:in:marks:1023",
        "tandem:in:count",
        "tandem:out:dead",
        "tandem:out:posted:a1b2",
        "tandem:out:pace",
        "tandem:run",
    ]
    assert Keys(CLUSTER_KEY_PREFIX).conv("c1") == "{tandem}:conv:c1"


def test_a_stem_is_a_key_with_its_last_value_empty() -> None:
    """The lane scripts add a job's id to its stem; the current conversation, its id."""
    assert K.queue("out", "job", "") == "tandem:out:job:"
    assert K.conv("") == "tandem:conv:"


def test_scopes_say_whose_data_a_family_is() -> None:
    by_scope = {s: {f.name for f in FAMILIES if f.scope is s} for s in Scope}
    assert by_scope[Scope.CHAT] == {
        "customer",
        "current",
        "by_chat",
        "seen",
        "message_map",
        "old_message_map",
        "desk_map",
        "flood",
        "rating_comment",
        "topic",
        "chat_lock",
    }
    assert by_scope[Scope.CONVERSATION] == {"conv", "log", "summary", "thread"}
    assert all("chat_id" not in f.fields for f in FAMILIES if f.scope is Scope.GLOBAL)
    assert [f.name for f in FAMILIES if not f.erased] == ["chat_lock"]


def test_a_customers_keys_are_every_erased_family_of_theirs() -> None:
    named = K.of_chat("42")
    assert set(named.keys) == {
        "tandem:customer:42",
        "tandem:chat:42",
        "tandem:idx:chat:42",
        "tandem:seen:tg:42",
        "tandem:seen:slack:42",
        "tandem:tgmsg:42",
        "tandem:deskmsg:42",
        "tandem:rating:comment:42",
        "tandem:topic:42",
    }
    assert set(named.patterns) == {"tandem:tgmsg:42:*", "tandem:flood:42:*"}
    for key in named.keys:
        family = K.family_of(key)
        assert family is not None
        assert family.scope is Scope.CHAT
    # Every erased family of the customer's is named or found by a pattern.
    erased = {f.name for f in FAMILIES if f.scope is Scope.CHAT and f.erased}
    covered = {f.name for f in FAMILIES if any(f.matches("tandem", k) for k in named.keys)}
    covered |= {"old_message_map", "flood"}  # the patterns'
    assert covered == erased


def test_a_conversations_keys_name_its_thread_only_when_it_has_one() -> None:
    assert K.of_conversation("c7").keys == ("tandem:conv:c7", "tandem:log:c7", "tandem:sum:c7")
    with_thread = K.of_conversation("c7", ThreadRef("C0DESK", "17.5"))
    assert with_thread.keys[-1] == "tandem:thread:C0DESK:17.5"
    assert with_thread.patterns == ()


def test_a_cluster_prefix_names_the_same_keys() -> None:
    named = Keys(CLUSTER_KEY_PREFIX).of_chat("42")
    assert named.patterns == ("{tandem}:tgmsg:42:*", "{tandem}:flood:42:*")
    assert all(k.startswith("{tandem}:") for k in named.keys)

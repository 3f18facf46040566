"""A key family: its builder, its SCAN pattern, its shapes, and the registry's checks."""

from __future__ import annotations

import pytest

from handoff.storage.key_family import ANY, NUMBER, Family, Scope, check, glob_escape

FLOOD = Family("flood", Scope.CHAT, "flood:{chat_id}:{window}", "counts", {"window": NUMBER})
SEEN = Family("seen", Scope.CHAT, "seen:{kind}:{chat_id}", "marks", {"kind": ("tg", "slack")})
LANE = Family("lane", Scope.GLOBAL, "lane:{lane}", "jobs", {"lane": ANY})


def test_the_builder_fills_the_pattern_under_the_prefix() -> None:
    assert FLOOD.fields == ("chat_id", "window")
    assert FLOOD.key("tandem", chat_id=42, window=7) == "tandem:flood:42:7"
    assert FLOOD.key("{tandem}", window=7, chat_id=-42) == "{tandem}:flood:-42:7"


def test_a_key_matches_its_fields_shapes() -> None:
    assert FLOOD.matches("tandem", "tandem:flood:-42:7")
    assert not FLOOD.matches("tandem", "tandem:flood:42:now")
    assert not FLOOD.matches("tandem", "tandem:flood:alex:7")  # a chat id is a number,
    assert FLOOD.matches("tandem", "tandem:flood:web:3f2a9c:7")  # or a channel's address
    assert SEEN.matches("tandem", "tandem:seen:slack:42")
    assert not SEEN.matches("tandem", "tandem:seen:email:42")
    assert LANE.matches("tandem", "tandem:lane:tg:42")  # ANY takes colons
    assert not LANE.matches("tandem", "tandem:lane:")
    assert not FLOOD.matches("t.ndem", "tandem:flood:42:7")  # the prefix is literal


def test_choices_and_shapes() -> None:
    assert SEEN.choices("kind") == ("tg", "slack")
    assert SEEN.choices("chat_id") == ()
    assert FLOOD.shape("window") == NUMBER


def test_the_scan_pattern_escapes_what_is_known() -> None:
    assert FLOOD.glob("tandem", chat_id=42) == "tandem:flood:42:*"
    assert FLOOD.glob("t[1]", chat_id="4*") == r"t\[1\]:flood:4\*:*"
    assert glob_escape("a?b\\c") == r"a\?b\\c"


@pytest.mark.parametrize(
    ("family", "problem"),
    [
        (Family("orphan", Scope.CHAT, "orphan:{store_id}", "no chat"), "must name the chat"),
        (Family("loose", Scope.CONVERSATION, "loose:{x}", "none"), "must name it"),
        (Family("shaped", Scope.GLOBAL, "shaped", "", {"x": ANY}), "a shape for a field"),
        (Family("flood", Scope.GLOBAL, "another", "a name taken"), "declared twice"),
        (Family("other", Scope.GLOBAL, "lane:{lane}", "a pattern taken"), "declared twice"),
    ],
)
def test_a_registry_refuses_a_family_that_does_not_say_whose_it_is(
    family: Family, problem: str
) -> None:
    check([FLOOD, SEEN, LANE])
    with pytest.raises(ValueError, match=problem):
        check([FLOOD, SEEN, LANE, family])


def test_a_threads_family_is_a_conversations() -> None:
    check([Family("thread", Scope.CONVERSATION, "thread:{channel}:{ts}", "a thread's")])

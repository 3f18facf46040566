"""``desk_change``: Slack's message_changed / message_deleted events, read as an employee's
reply edited or deleted; everything else Slack reports with those subtypes is not one.
Payload shapes from the Events API reference (message_changed, message_deleted)."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.core.state import ThreadRef
from handoff.slack.payloads import MalformedPayload, desk_change

THREAD, TS = "1700000000.000100", "1700000001.000200"


def reply(**extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "user": "U0AISHA01",
        "text": "Tom &amp; Jerry's *shop*",
        "ts": TS,
        "thread_ts": THREAD,
        **extra,
    }


def changed(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "C0RIVERSIDE",
        "ts": "1700000002.000300",
        "event_ts": "1700000002.000300",
        "message": message,
        "previous_message": reply(text="before"),
    }


def deleted(previous: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": "C0RIVERSIDE",
        "ts": "1700000003.000400",
        "deleted_ts": previous["ts"],
        "event_ts": "1700000003.000400",
        "previous_message": previous,
    }


def test_an_edited_reply_is_read_with_its_new_text_decoded() -> None:
    event = changed(reply(edited={"user": "U0AISHA01", "ts": "1700000002.000300"}))
    change = desk_change(event, {"event_id": "Ev1"})
    assert change is not None
    assert (change.event_id, change.thread, change.user, change.editor, change.ts) == (
        "Ev1",
        ThreadRef("C0RIVERSIDE", THREAD),
        "U0AISHA01",
        "U0AISHA01",
        TS,
    )
    assert change.text == "Tom & Jerry's shop"  # Slack's encoding decoded, once


def test_a_deleted_reply_has_no_text() -> None:
    change = desk_change(deleted(reply()), {"event_id": "Ev2"})
    assert change is not None
    assert (change.ts, change.text) == (TS, None)


def test_someone_elses_edit_is_reported_as_theirs() -> None:
    event = changed(reply(edited={"user": "U0LUIS01", "ts": "1700000002.000300"}))
    change = desk_change(event, {})
    assert change is not None
    assert (change.user, change.editor) == ("U0AISHA01", "U0LUIS01")


@pytest.mark.parametrize(
    "event",
    [
        changed({**reply(), "bot_id": "B0TANDEMBOT"}),  # the bot's own post updated
        changed({**reply(), "thread_ts": TS}),  # a thread's parent (reply count changed)
        changed({k: v for k, v in reply().items() if k != "thread_ts"}),  # top level
        deleted({**reply(), "subtype": "bot_message"}),
        {**reply(), "subtype": None},  # a new reply is not a change
    ],
)
def test_changes_that_are_not_a_replys_are_none(event: dict[str, Any]) -> None:
    assert desk_change(event, {}) is None


def test_a_malformed_change_is_refused_in_one_line() -> None:
    with pytest.raises(MalformedPayload):
        desk_change(changed({**reply(), "user": ["U1"]}), {})
    with pytest.raises(MalformedPayload):
        desk_change({**deleted(reply()), "deleted_ts": "1.2"}, {})


# The Events API reference's own examples (the event part), verbatim:
# https://docs.slack.dev/reference/events/message/message_changed/
DOCS_CHANGED: dict[str, Any] = {
    "type": "message",
    "subtype": "message_changed",
    "hidden": True,
    "channel": "C123ABC456",
    "ts": "1358878755.000001",
    "message": {
        "type": "message",
        "user": "U123ABC456",
        "text": "Hello, world!",
        "ts": "1355517523.000005",
        "edited": {"user": "U123ABC456", "ts": "1358878755.000001"},
    },
}
# https://docs.slack.dev/reference/events/message/message_deleted/
DOCS_DELETED: dict[str, Any] = {
    "type": "message",
    "subtype": "message_deleted",
    "hidden": True,
    "channel": "C123ABC456",
    "ts": "1358878755.000001",
    "deleted_ts": "1358878749.000002",
}


def test_the_documented_samples() -> None:
    """A top-level message edited is no reply's; the same inside a thread is; a deletion
    without ``previous_message`` names no author or thread, so no reply of ours."""
    body = {"type": "event_callback", "event_id": "Ev123ABC456"}
    assert desk_change(DOCS_CHANGED, body) is None
    in_thread = {**DOCS_CHANGED, "message": {**DOCS_CHANGED["message"], "thread_ts": THREAD}}
    change = desk_change(in_thread, body)
    assert change is not None
    assert (change.thread, change.ts, change.text) == (
        ThreadRef("C123ABC456", THREAD),
        "1355517523.000005",
        "Hello, world!",
    )
    assert desk_change(DOCS_DELETED, body) is None

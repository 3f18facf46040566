"""What the customer last saw of an employee's reply, read from the append-only transcript."""

from __future__ import annotations

from handoff.core.state import Event
from handoff.flows.desk_edits import delivered_reply, withdrawal_notice

TS = "1700000001.000200"


def test_the_latest_version_of_a_delivered_reply() -> None:
    events = [
        Event("employee_reply", 10.0, "U1", detail={"text": "Monday", "ts": TS}),
        Event("edit", 20.0, "U1", detail={"ts": TS, "previous": "Monday", "text": "Tuesday"}),
        Event("edit", 30.0, "U1", detail={"ts": "other", "text": "elsewhere"}),
    ]
    reply = delivered_reply(events, TS)
    assert reply is not None
    assert (reply.text, reply.at, reply.files) == ("Tuesday", 10.0, False)


def test_notes_internal_edits_and_withdrawn_replies_were_not_delivered() -> None:
    note = Event("note", 10.0, "U1", "marked as a note", {"text": "note: x", "ts": TS})
    internal = Event("edit", 11.0, "U1", "internal", {"ts": TS, "text": "x", "internal": True})
    assert delivered_reply([note, internal], TS) is None
    sent = Event("employee_reply", 12.0, "U1", detail={"text": "hi", "ts": TS, "files": [{}]})
    with_files = delivered_reply([sent], TS)
    assert with_files is not None
    assert with_files.files
    gone = Event("withdrawn", 13.0, "U1", detail={"ts": TS, "text": "hi"})
    assert delivered_reply([sent, gone], TS) is None


def test_the_notice_quotes_a_long_message_shortened() -> None:
    assert withdrawal_notice("Door 3.") == (
        "I withdrew my earlier message “Door 3.”. Please disregard it."
    )
    long = withdrawal_notice("word " * 40)
    assert "…”" in long
    assert len(long) < 140

"""Refused sends as people read them, and when a customer counts as unreachable."""

from __future__ import annotations

from handoff.core.refusals import (
    EVENT,
    REASONS,
    Refusal,
    describe,
    known,
    preview,
    refusals,
    unreachable,
)
from handoff.core.state import Event


def test_the_thread_is_told_what_did_not_arrive_and_why() -> None:
    refusal = Refusal("blocked", "a message", "Your order is ready")
    assert refusal.notice() == (
        "Not delivered: the customer has blocked the bot. "
        'A message ("Your order is ready") did not reach them.'
    )
    photo = Refusal("file_refused", "a photo")
    assert photo.notice() == "Not delivered: the file was refused. A photo did not reach them."
    event = refusal.event(100.0)
    assert (event.kind, event.reason, event.by) == (EVENT, "blocked", "tandem")
    assert event.detail == {"what": "a message", "text": "Your order is ready"}


def test_an_unknown_reason_reads_as_a_plain_refusal() -> None:
    assert known("something_new") == "refused"
    assert known("chat_not_found") == "chat_not_found"
    assert describe(None) == REASONS["refused"]
    assert describe("too_long") == "the message was too long for the customer's app"


def _said(at: float) -> Event:
    return Event("customer_message", at, "customer", detail={"text": "hi"})


def _refused(at: float, reason: str) -> Event:
    return Refusal(reason, "a message").event(at)


def test_a_blocked_customer_is_unreachable_until_they_write() -> None:
    assert not unreachable([])
    assert not unreachable([_said(1)])
    assert unreachable([_said(1), _refused(2, "blocked")])
    assert unreachable([_said(1), _refused(2, "chat_not_found"), _refused(3, "too_long")])
    assert not unreachable([_refused(1, "blocked"), _said(2)])  # they wrote again
    assert not unreachable([_said(1), _refused(2, "too_long")])  # a long text blocks nobody
    # An employee's reply is not the customer coming back.
    reply = Event("employee_reply", 3, "U0AISHA01", detail={"text": "Hello?"})
    assert unreachable([_refused(2, "blocked"), reply])


def test_refusals_are_listed_oldest_first_and_previews_stay_short() -> None:
    events = [_said(1), _refused(2, "blocked"), _said(3), _refused(4, "too_long")]
    assert [e.reason for e in refusals(events)] == ["blocked", "too_long"]
    assert preview("  two\nlines  ") == "two lines"
    long = preview("word " * 40)
    assert len(long) == 80
    assert long.endswith("…")

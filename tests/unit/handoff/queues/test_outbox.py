"""The outbox's rules: a chat's pace (its script, on a real Valkey), which failures are worth
retrying, job encoding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.outbox import classify
from handoff.core.ports import Button, ButtonRow, HandoffCard, TranscriptLine
from handoff.queues.codec import decode_buttons, decode_card, encode_buttons, encode_card
from handoff.queues.lanes import Lanes
from handoff.queues.pacing import CHAT_BURST, ChatPace
from handoff.queues.pump import GiveUp, RetryLater
from handoff.slack import outbox as slack_outbox


async def test_a_chat_gets_a_short_burst_then_one_message_a_second(redis: Redis) -> None:
    pace = ChatPace(Lanes(redis, prefix="pace", name="out"))
    other_worker = ChatPace(Lanes(redis, prefix="pace", name="out"))
    waits, now = [], 100.0
    for n in range(6):  # six sends asked for at once, each sent after its wait
        wait = await (pace if n % 2 else other_worker).turn("42", now)  # one bucket for both
        waits.append(round(wait, 6))
        now += wait
    assert waits == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert await pace.turn("7", now) == 0.0  # another chat has its own bucket
    # A quiet chat starts afresh: a full burst again.
    assert [await pace.turn("42", now + 10) for _ in range(int(CHAT_BURST))] == [0.0] * 3
    assert await pace.turn("42", now + 10) == 1.0


async def test_the_bot_keeps_its_overall_pace_across_workers_and_chats(redis: Redis) -> None:
    one = ChatPace(Lanes(redis, prefix="botpace", name="out"), bot_sends_per_second=10)
    two = ChatPace(Lanes(redis, prefix="botpace", name="out"), bot_sends_per_second=10)
    now = 500.0
    # 40 chats' first messages, asked for at once on two workers: a second's worth at
    # once, then one every tenth of a second, whoever sends them.
    waits = [await (one if chat % 2 else two).turn(str(chat), now) for chat in range(40)]
    assert [round(w, 6) for w in waits] == [0.0] * 10 + [round(n / 10, 6) for n in range(1, 31)]
    # The next send, of any chat, takes the bot's next turn.
    assert round(await one.turn("39", now), 6) == 3.1
    # Later, with the bot idle again, the chat's own pace is what counts.
    later = now + 60
    assert [round(await one.turn("5", later), 6) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("error", "kind", "after"),
    [
        (RetryAfter(timedelta(seconds=7)), RetryLater, 7.0),
        (TimedOut(), RetryLater, None),
        (NetworkError("connection reset"), RetryLater, None),
        (Forbidden("bot was blocked by the user"), GiveUp, None),
        (BadRequest("chat not found"), GiveUp, None),
    ],
)
def test_telegram_failures_are_retried_or_given_up(
    error: Exception, kind: type[Exception], after: float | None
) -> None:
    verdict = classify(error)
    assert isinstance(verdict, kind)
    if isinstance(verdict, RetryLater):
        assert verdict.retry_after == after


def _slack_error(status: int, error: str, headers: dict[str, str] | None = None) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)  # type: ignore[no-untyped-call]


def test_slack_failures_are_retried_or_given_up() -> None:
    limited = slack_outbox.classify(_slack_error(429, "ratelimited", {"Retry-After": "12"}))
    assert isinstance(limited, RetryLater)
    assert limited.retry_after == 12.0
    assert isinstance(slack_outbox.classify(_slack_error(503, "service_unavailable")), RetryLater)
    assert isinstance(slack_outbox.classify(_slack_error(200, "not_in_channel")), RetryLater)
    assert isinstance(slack_outbox.classify(_slack_error(200, "invalid_blocks")), GiveUp)
    assert isinstance(slack_outbox.classify(ConnectionResetError()), RetryLater)


def test_cards_and_buttons_survive_the_queue() -> None:
    card = HandoffCard(
        conversation_id="c1",
        customer_name="Ana",
        store_name="Riverside",
        language="en",
        past_conversations=2,
        notes=("prefers mornings",),
        reason="emotional",
        reason_detail="negative sentiment",
        nlu={"intent": "complaint", "confidence": 0.9},
        recent=(TranscriptLine("Ana", "my order never came"),),
        status="pending",
        offered_to="U1",
        extra={"waiting": "3 min"},
    )
    assert decode_card(encode_card(card)) == card
    buttons: list[ButtonRow] = [
        Button("1", "rate:1"),
        [Button("a", "x"), Button("Link", url="https://x.test")],
    ]
    assert decode_buttons(encode_buttons(buttons)) == [
        [Button("1", "rate:1")],
        [Button("a", "x"), Button("Link", url="https://x.test")],
    ]

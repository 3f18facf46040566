"""The conversation state machine (handoff.core.state): every transition, its transcript event,
repeats as no-ops, and the transitions that must be refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields

import pytest

from handoff.core.state import (
    AlreadyOwned,
    Conversation,
    NotAllowed,
    Status,
    ThreadRef,
    attach_thread,
    claim,
    hand_back,
    hand_off,
    may_reply,
    offer,
    open_conversation,
    resolve,
)

T0 = 1_764_000_000.0
AISHA, LUIS, KEVIN = "U0AISHA01", "U0LUIS01", "U0KEVIN01"
Maker = Callable[[], Conversation]


def bot() -> Conversation:
    return open_conversation("c1", "42", T0)


def pending(offered_to: str | None = AISHA) -> Conversation:
    expires = T0 + 120 if offered_to else None
    return hand_off(
        bot(), reason="emotional", offered_to=offered_to, expires_at=expires, now=T0
    ).conversation


def human(owner: str = AISHA) -> Conversation:
    return claim(pending(), employee=owner, now=T0 + 5).conversation


def resolved() -> Conversation:
    return resolve(human(), by=AISHA, now=T0 + 60).conversation


def test_a_new_conversation_belongs_to_the_bot() -> None:
    conv = bot()
    assert (conv.id, conv.chat_id, conv.status, conv.opened_at) == ("c1", "42", Status.BOT, T0)
    assert conv.bot_may_answer
    assert conv.owner is None


def test_hand_off_offers_the_conversation_and_silences_the_bot() -> None:
    result = hand_off(bot(), reason="emotional", offered_to=AISHA, expires_at=T0 + 120, now=T0)
    conv = result.conversation
    assert (conv.status, conv.offered_to, conv.expires_at) == (Status.PENDING, AISHA, T0 + 120)
    assert conv.handoff_reason == "emotional"
    assert not conv.bot_may_answer
    assert result.changed
    assert result.event is not None
    assert (result.event.kind, result.event.by, result.event.reason) == (
        "handoff",
        "bot",
        "emotional",
    )
    assert result.event.detail == {"offered_to": AISHA}


@pytest.mark.parametrize("make", [pending, human])
def test_hand_off_again_is_a_no_op(make: Maker) -> None:
    conv = make()
    result = hand_off(conv, reason="complex", offered_to=LUIS, expires_at=None, now=T0 + 9)
    assert result.conversation == conv
    assert not result.changed


def test_a_resolved_conversation_is_not_handed_off() -> None:
    with pytest.raises(NotAllowed):
        hand_off(resolved(), reason="complex", offered_to=None, expires_at=None, now=T0)


def test_attach_thread_keeps_everything_else() -> None:
    conv = pending()
    attached = attach_thread(conv, ThreadRef("C0RIVERSIDE", "1.000100"))
    assert attached.thread == ThreadRef("C0RIVERSIDE", "1.000100")
    assert attached == Conversation(**{**vars(conv), "thread": attached.thread})


def test_pass_records_who_passed_and_offers_the_next_person() -> None:
    result = offer(pending(), to=LUIS, expires_at=T0 + 240, now=T0 + 30, reason="pass")
    conv = result.conversation
    assert (conv.offered_to, conv.expires_at, conv.passed_by) == (LUIS, T0 + 240, (AISHA,))
    assert result.event is not None
    assert (result.event.kind, result.event.by, result.event.reason) == ("offer", "tandem", "pass")
    assert result.event.detail == {"offered_to": LUIS}

    # Passed back to someone who already passed: they are listed once.
    again = offer(conv, to=AISHA, expires_at=T0 + 360, now=T0 + 60, reason="pass")
    assert again.conversation.passed_by == (AISHA, LUIS)
    back = offer(again.conversation, to=LUIS, expires_at=T0 + 480, now=T0 + 90, reason="pass")
    assert back.conversation.passed_by == (AISHA, LUIS)


def test_expiry_offers_everyone_without_counting_a_pass() -> None:
    result = offer(pending(), to=None, expires_at=None, now=T0 + 120, reason="expired")
    assert (result.conversation.offered_to, result.conversation.passed_by) == (None, ())
    assert result.changed


def test_the_same_offer_again_is_a_no_op() -> None:
    conv = pending()
    result = offer(conv, to=AISHA, expires_at=T0 + 120, now=T0 + 1, reason="expired")
    assert result.conversation == conv
    assert not result.changed


@pytest.mark.parametrize("make", [bot, human, resolved])
def test_only_a_pending_conversation_is_offered(make: Maker) -> None:
    with pytest.raises(NotAllowed):
        offer(make(), to=LUIS, expires_at=None, now=T0, reason="pass")


def test_claim_makes_the_clicker_the_owner() -> None:
    result = claim(pending(), employee=LUIS, now=T0 + 5)  # anyone may claim, not only the offeree
    conv = result.conversation
    assert (conv.status, conv.owner, conv.offered_to, conv.expires_at) == (
        Status.HUMAN,
        LUIS,
        None,
        None,
    )
    assert result.event is not None
    assert (result.event.kind, result.event.by, result.event.at) == ("claim", LUIS, T0 + 5)


def test_the_owner_claiming_again_is_a_no_op() -> None:
    conv = human(AISHA)
    result = claim(conv, employee=AISHA, now=T0 + 10)
    assert result.conversation == conv
    assert not result.changed


def test_someone_else_cannot_claim_an_owned_conversation() -> None:
    with pytest.raises(AlreadyOwned) as raised:
        claim(human(AISHA), employee=LUIS, now=T0 + 10)
    assert raised.value.owner == AISHA


@pytest.mark.parametrize("make", [bot, resolved])
def test_there_is_nothing_to_claim_unless_pending(make: Maker) -> None:
    with pytest.raises(NotAllowed):
        claim(make(), employee=AISHA, now=T0)


def test_the_owner_hands_back_to_the_bot() -> None:
    result = hand_back(human(AISHA), by=AISHA, now=T0 + 30)
    conv = result.conversation
    assert (conv.status, conv.owner, conv.offered_to) == (Status.BOT, None, None)
    assert conv.bot_may_answer
    assert result.event is not None
    assert (result.event.kind, result.event.by) == ("hand_back", AISHA)
    assert result.event.detail == {"previous_owner": AISHA}


def test_anyone_may_hand_a_pending_conversation_back() -> None:
    result = hand_back(pending(), by=LUIS, now=T0 + 30)
    assert result.conversation.status is Status.BOT
    assert result.conversation.expires_at is None


def test_hand_back_by_someone_else_is_refused_and_again_is_a_no_op() -> None:
    with pytest.raises(AlreadyOwned):
        hand_back(human(AISHA), by=LUIS, now=T0 + 30)
    assert not hand_back(bot(), by=AISHA, now=T0).changed


def test_a_resolved_conversation_is_not_reopened_by_hand_back() -> None:
    with pytest.raises(NotAllowed):
        hand_back(resolved(), by=AISHA, now=T0 + 90)


def test_the_owner_resolves() -> None:
    result = resolve(human(AISHA), by=AISHA, now=T0 + 60)
    conv = result.conversation
    assert (conv.status, conv.closed_at, conv.owner) == (Status.RESOLVED, T0 + 60, AISHA)
    assert not conv.bot_may_answer
    assert result.event is not None
    assert (result.event.kind, result.event.by, result.event.detail) == (
        "resolve",
        AISHA,
        {"owner": AISHA},
    )


@pytest.mark.parametrize("make", [bot, pending])
def test_an_unowned_conversation_may_be_resolved_by_anyone(make: Maker) -> None:
    result = resolve(make(), by=KEVIN, now=T0 + 60)
    assert (result.conversation.status, result.conversation.offered_to) == (Status.RESOLVED, None)


def test_resolve_by_someone_else_is_refused_and_again_is_a_no_op() -> None:
    with pytest.raises(AlreadyOwned):
        resolve(human(AISHA), by=LUIS, now=T0 + 60)
    conv = resolved()
    again = resolve(conv, by=AISHA, now=T0 + 99)
    assert again.conversation == conv
    assert not again.changed


def test_only_the_owner_of_a_live_conversation_may_reply() -> None:
    assert may_reply(human(AISHA), AISHA)
    assert not may_reply(human(AISHA), LUIS)
    assert not may_reply(pending(AISHA), AISHA)  # offered is not owned
    assert not may_reply(resolved(), AISHA)  # the owner is kept on record, but it is closed
    assert not may_reply(bot(), AISHA)


def test_round_trip_through_json_keeps_every_field() -> None:
    conv = Conversation(
        id="c7",
        chat_id="-1001",
        status=Status.PENDING,
        opened_at=T0,
        store_id="riverside",
        owner=LUIS,
        offered_to=AISHA,
        expires_at=T0 + 120,
        thread=ThreadRef("C0RIVERSIDE", "1764000000.000100"),
        handoff_reason="sensitive",
        passed_by=(KEVIN, LUIS),
        closed_at=T0 + 300,
        offer_stage="channel",
        offered=(KEVIN, LUIS),
        store_basis="asked",
    )
    # A new field must be set above, or this test would not notice to_dict dropping it.
    unset = [f.name for f in fields(Conversation) if getattr(conv, f.name) == f.default]
    assert unset == []
    assert Conversation.from_dict(json.loads(json.dumps(conv.to_dict()))) == conv


def test_round_trip_of_a_fresh_conversation() -> None:
    conv = bot()
    assert Conversation.from_dict(json.loads(json.dumps(conv.to_dict()))) == conv

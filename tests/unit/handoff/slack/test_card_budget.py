"""Cards within Slack's limits: checked by the strict fake's own Block Kit rules."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.slack.card_budget import (
    TEXT_BUDGET,
    fallback_blocks,
    fit_blocks,
    split_by_budget,
    text_size,
    transcript_sections,
)
from playground.fake_slack.blockkit import check_blocks
from playground.fake_slack.state import FakeSlackError

Block = dict[str, Any]


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def button(label: str) -> Block:
    return {"type": "button", "action_id": label, "text": {"type": "plain_text", "text": label}}


def card(transcript_lines: int, line: int) -> list[Block]:
    lines = "\n".join(f"customer {n}: " + "w" * line for n in range(transcript_lines))
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Alex needs a person"}},
        section("*Alex* · first conversation"),
        section("*Why:* asked for a person"),
        section("*Offered to:* everyone here"),
        *transcript_sections(f"Recent messages:\n{lines}"),
        {"type": "actions", "block_id": "conversation", "elements": [button("Take over")]},
    ]


def test_the_fake_refuses_the_untrimmed_card() -> None:
    with pytest.raises(FakeSlackError) as refused:
        check_blocks(card(50, 1000))
    assert refused.value.code == "msg_blocks_too_long"


def test_fifty_long_messages_fit_newest_kept() -> None:
    blocks = fit_blocks(card(50, 1000))
    check_blocks(blocks)  # Slack takes it
    assert text_size(blocks) <= TEXT_BUDGET
    texts = "".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "customer 49: www" in texts  # the newest line stays
    assert "customer 0: " not in texts  # the oldest go first
    assert "earlier lines not shown" in texts
    assert blocks[0]["type"] == "header"
    assert blocks[-1]["type"] == "actions"
    assert [b["text"]["text"] for b in blocks[1:4]] == [
        "*Alex* · first conversation",
        "*Why:* asked for a person",
        "*Offered to:* everyone here",
    ]


def test_a_card_that_fits_is_unchanged() -> None:
    blocks = card(3, 50)
    assert fit_blocks(blocks) == blocks


def test_each_block_is_brought_within_its_own_limit() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 400}},
        section("s" * 5000),
        {"type": "actions", "elements": [button("b" * 100) for _ in range(30)]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 12},
    ]
    fitted = fit_blocks(blocks)
    check_blocks(fitted)
    assert fitted[0]["text"]["text"].endswith("…")
    assert len(fitted[2]["elements"]) == 25
    assert blocks[1]["text"]["text"] == "s" * 5000  # the caller's blocks are not changed


def test_huge_fixed_fields_end_in_the_fallback_card() -> None:
    blocks = [section("x" * 2990) for _ in range(20)]
    blocks.append({"type": "actions", "elements": [button("Take over")]})
    fitted = fit_blocks(blocks, budget=2000)
    check_blocks(fitted)
    assert text_size(fitted) <= 2000
    assert fitted[-1]["type"] == "actions"


def test_fallback_is_who_why_status_and_buttons() -> None:
    minimal = fallback_blocks(card(50, 1000))
    check_blocks(minimal)
    assert [b["type"] for b in minimal] == ["header", "section", "section", "section", "actions"]


def test_split_by_budget_keeps_order_and_every_block() -> None:
    blocks = [section("a" * 2900, f"s{n}") for n in range(12)]
    groups = split_by_budget(blocks)
    assert [b for g in groups for b in g] == blocks
    assert all(text_size(g) <= TEXT_BUDGET for g in groups)
    for group in groups:
        check_blocks(group)
    assert split_by_budget([]) == [[]]

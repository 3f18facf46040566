"""Acknowledgements are recognised whole and answered briefly; anything more is not one."""

from __future__ import annotations

import pytest

from nlu.triage.smalltalk import is_acknowledgement, smalltalk_reply


@pytest.mark.parametrize(
    "text",
    ["ok", "k", "kk", "Okay!!", "cool", "👍", "👍🏽", "ok 👍", "got it, thanks", "perfect", "thx",
     "sounds good.", "great thanks!", "noted", "alright"],
)  # fmt: skip
def test_an_acknowledgement(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize(
    "text",
    ["ok but my order is still missing", "ok what time do you open", "no", "okay, can you hold it",
     "cool, where do i park?", "not ok", "👎"],
)  # fmt: skip
def test_not_only_an_acknowledgement(text: str) -> None:
    assert not is_acknowledgement(text)


def test_acknowledgement_replies_are_short_and_vary() -> None:
    replies = {
        smalltalk_reply("acknowledge", first_name="Alex", business="Maple & Main", seed=seed)
        for seed in range(10)
    }
    assert len(replies) >= 3
    assert all(len(r) <= 60 for r in replies)
    assert not any("Hello" in r for r in replies)

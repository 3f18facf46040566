"""Customers' addresses (handoff/core/addresses.py)."""

from __future__ import annotations

import pytest

from handoff.core.addresses import BadAddress, channel_of, chat_key, parse_address, sender_of


def test_a_telegram_address_is_the_bare_chat_id_as_stored_before_channels() -> None:
    assert chat_key("tg", "5551234") == "5551234"
    assert chat_key("tg", "-1001234") == "-1001234"
    assert channel_of("5551234") == "tg"
    assert sender_of("-1001234") == "-1001234"


def test_another_channel_is_qualified_and_read_back() -> None:
    address = chat_key("web", "3f2a9c")
    assert address == "web:3f2a9c"
    assert channel_of(address) == "web"
    assert sender_of(address) == "3f2a9c"
    assert chat_key("web", "5551234") != chat_key("tg", "5551234")


@pytest.mark.parametrize(
    ("channel", "sender"),
    [("Web", "1"), ("", "1"), ("web chat", "1"), ("web", ""), ("web", "a b"), ("web", "a:b")],
)
def test_bad_parts_are_refused_with_a_message(channel: str, sender: str) -> None:
    with pytest.raises(BadAddress, match="expected"):
        chat_key(channel, sender)


def test_an_address_as_typed_is_a_chat_id_or_channel_and_id() -> None:
    assert parse_address(" 5551234 ") == "5551234"
    assert parse_address("-1001") == "-1001"
    assert parse_address("web:3f2a9c") == "web:3f2a9c"
    assert parse_address("tg:5551234") == "5551234"  # Telegram's are bare
    for bad in ("alex", "web:", "Web:1", "12 34"):
        with pytest.raises(BadAddress, match="expected"):
            parse_address(bad)

"""What redis-py hands back, as text: the tests' clients do not decode responses."""

from __future__ import annotations


def text(value: object) -> str:
    """A key, member or value as a string (bytes decoded as UTF-8)."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    raise TypeError(f"expected bytes or str from Redis, got {type(value).__name__}")

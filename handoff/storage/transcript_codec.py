"""How a transcript event is stored in its Redis stream, compactly and exactly.

An entry has the same six fields every time, so the stream stores the field names once
per node rather than once per entry: kind, author and reason (the commonest as one
letter), the time in milliseconds, a shared text's reference, and the detail as JSON
deflated with a dictionary of the details' own key names (``z``; a new dictionary would
need a new field name, since entries are never rewritten).

A bot answer's text is the same for thousands of customers but for their name: it is
stored once, under the SHA-256 of its text with the name taken out (``text:{digest}``),
and the entry keeps the digest and the name (``s``). Reading puts the name back and
checks the digest, so a stored text cannot be changed unnoticed.

Entries written before this codec (one JSON field ``e``) are still read.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from typing import Any

from redis.typing import EncodableT, FieldT

from handoff.core.state import Event

# Only these kinds are shared: their texts come from the answer book, not from a person.
SHARED_KINDS = frozenset({"bot_answer"})
SHARED_MIN_CHARS = 80  # shorter texts cost less inline than their reference
NAME_MARK = "\x00"  # stands for the customer's name in a shared text
# The detail's usual key names and values: deflate refers back to them. Never change it:
# entries written with it are read with it.
DETAIL_WORDS = (
    b'{"text":"","message_id":,"media":null}{"offered_to":null,"explanation":"",'
    b'"store_id":null,"nlu":{"intent":"","confidence":0.9,"margin":0.9,"sentiment":0.0,'
    b'"entities":{}}}'
)
# One letter for the kinds and authors of most entries; real kinds are words, and
# authors other than these are Slack user ids, so neither is ever one letter.
SHORT_KINDS = {"customer_message": "m", "bot_answer": "a", "bot_notice": "n", "employee_reply": "r"}
SHORT_BY = {"customer": "c", "bot": "b"}
SHORT_REASONS = {"answer": "a"}  # a bot answer's usual reason; real reasons are words
_KINDS = {v: k for k, v in SHORT_KINDS.items()}
_BY = {v: k for k, v in SHORT_BY.items()}
_REASONS = {v: k for k, v in SHORT_REASONS.items()}
DIGEST_BYTES = 12  # 96 bits: no collision within reach


class TranscriptCorrupt(Exception):
    """A shared text is missing or does not match its digest."""


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[: 2 * DIGEST_BYTES]


def shared_text(event: Event, name: str | None) -> tuple[str, str] | None:
    """(digest, text with the name marked) when the event's text is worth sharing."""
    text = event.detail.get("text")
    if event.kind not in SHARED_KINDS or not isinstance(text, str) or NAME_MARK in text:
        return None
    if len(text) < SHARED_MIN_CHARS:
        return None
    marked = text.replace(name, NAME_MARK) if name else text
    return digest_of(marked), marked


def encode(
    event: Event, shared: tuple[str, str] | None, name: str | None
) -> dict[FieldT, EncodableT]:
    """The stream fields of an event; ``shared`` from ``shared_text``."""
    detail = dict(event.detail)
    if shared is not None:
        del detail["text"]
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=DETAIL_WORDS)
    plain = json.dumps(detail, ensure_ascii=False, separators=(",", ":")).encode()
    return {
        "k": SHORT_KINDS.get(event.kind, event.kind),
        "t": round(event.at * 1000),
        "b": SHORT_BY.get(event.by, event.by),
        "r": SHORT_REASONS.get(event.reason or "", event.reason or ""),
        # The digest as bytes, then the name.
        "s": bytes.fromhex(shared[0]) + (name or "").encode() if shared is not None else b"",
        "z": packer.compress(plain) + packer.flush(),
    }


def references(fields: Mapping[bytes, bytes]) -> str | None:
    """The digest of the shared text an entry needs, if any."""
    ref = fields.get(b"s")
    return ref[:DIGEST_BYTES].hex() if ref else None


def decode(fields: Mapping[bytes, bytes], texts: Mapping[str, str]) -> Event:
    """The event of one entry; ``texts`` holds the shared texts it references."""
    if b"e" in fields:  # written before this codec
        return Event(**json.loads(fields[b"e"]))
    unpacker = zlib.decompressobj(-15, zdict=DETAIL_WORDS)
    detail: dict[str, Any] = json.loads(unpacker.decompress(fields[b"z"]) + unpacker.flush())
    if ref := fields.get(b"s"):
        digest, name = ref[:DIGEST_BYTES].hex(), ref[DIGEST_BYTES:].decode()
        marked = texts.get(digest)
        if marked is None or digest_of(marked) != digest:
            raise TranscriptCorrupt(f"shared text {digest} is missing or altered")
        detail = {"text": marked.replace(NAME_MARK, name), **detail}
    kind, by, reason = (fields[f].decode() for f in (b"k", b"b", b"r"))
    return Event(
        _KINDS.get(kind, kind),
        int(fields[b"t"]) / 1000,
        _BY.get(by, by),
        _REASONS.get(reason, reason) or None,
        detail,
    )

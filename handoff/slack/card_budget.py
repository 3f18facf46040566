"""Keeping a card within Slack's Block Kit limits, so it always posts. Pure.

Slack refuses a whole message for one block over its limit (``invalid_blocks``: section
text 3,000, header 150, button text 75, 50 blocks, 25 elements an actions block...) and
for blocks too long together (``msg_blocks_too_long``, about 13,200 characters of text
as measured; github.com/slackapi/bolt-js/issues/2509). ``fit_blocks`` takes a finished
card and gives up what matters least first: the transcript's oldest lines, then long
lines, then the notes, then every long text; ``fallback_blocks`` is the minimal card
(who, why, the buttons) for when Slack refuses even that.
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

TEXT_BUDGET = 11_000  # characters of text in all blocks: well under Slack's ~13,200
MAX_BLOCKS = 50
SECTION_TEXT = 3000
CHUNK = 2900  # a transcript section's text
HEADER_TEXT = 150
BUTTON_TEXT = 75
FIELDS = 10
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
LINE_LIMIT = 400  # one transcript line, once the transcript must shrink
FALLBACK_TEXT = 500
TRANSCRIPT_ID = "transcript"  # block_id prefix of the transcript's sections
NOTES_ID = "notes"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def text_size(node: Any) -> int:
    """Characters of text in every ``text`` field, however nested (what Slack totals)."""
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(text_size(v) for k, v in node.items() if k != "text" or own == 0)
    if isinstance(node, list):
        return sum(text_size(v) for v in node)
    return 0


def fit_blocks(blocks: list[Block], budget: int = TEXT_BUDGET) -> list[Block]:
    """The card's blocks within every limit and within ``budget`` characters of text."""
    fitted = [_fit_block(b) for b in blocks]
    if text_size(fitted) > budget:
        fitted = _trim_transcript(fitted, budget)
    if text_size(fitted) > budget:
        fitted = [
            _clipped(b, FALLBACK_TEXT) if b.get("block_id") == NOTES_ID else b for b in fitted
        ]
    if text_size(fitted) > budget:
        share = max(FALLBACK_TEXT, budget // max(len(fitted), 1))
        fitted = [_clipped(b, share) for b in fitted]
    if len(fitted) > MAX_BLOCKS:  # keep the last block: the buttons
        fitted = [*fitted[: MAX_BLOCKS - 1], fitted[-1]]
    if text_size(fitted) > budget:
        return fallback_blocks(blocks)
    return fitted


def fallback_blocks(blocks: list[Block]) -> list[Block]:
    """The minimal card: the header, the first three sections (who, why, status) short,
    and the buttons. What a card must say for someone to take the conversation."""
    header = [_fit_block(b) for b in blocks if b.get("type") == "header"][:1]
    sections = [
        _clipped(_fit_block(b), FALLBACK_TEXT)
        for b in blocks
        if b.get("type") == "section" and not _is_trimmable(b)
    ][:3]
    actions = [_fit_block(b) for b in blocks if b.get("type") == "actions"][-1:]
    return header + sections + actions


def split_by_budget(blocks: list[Block], budget: int = TEXT_BUDGET) -> list[list[Block]]:
    """Consecutive blocks in groups Slack takes as one message each (a long message of
    someone's words posts whole, across several messages, instead of being refused)."""
    groups: list[list[Block]] = [[]]
    for block in blocks:
        group = groups[-1]
        if group and (len(group) >= MAX_BLOCKS or text_size([*group, block]) > budget):
            groups.append([block])
        else:
            group.append(block)
    return groups


def transcript_sections(text: str) -> list[Block]:
    """The transcript as plain-text sections, marked so the budget can find them."""
    chunks = []
    while len(text) > CHUNK:
        cut = text.rfind("\n", CHUNK // 2, CHUNK) + 1 or text.rfind(" ", CHUNK // 2, CHUNK) + 1
        cut = cut or CHUNK
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return [
        {
            "type": "section",
            "block_id": f"{TRANSCRIPT_ID}-{n}",
            "text": {"type": "plain_text", "text": chunk or " ", "emoji": False},
        }
        for n, chunk in enumerate(chunks)
    ]


def _trim_transcript(blocks: list[Block], budget: int) -> list[Block]:
    parts = [b for b in blocks if _is_transcript(b)]
    if not parts:
        return blocks
    others = [b for b in blocks if not _is_transcript(b)]
    room = budget - text_size(others)
    title, *lines = "".join(b["text"]["text"] for b in parts).split("\n")
    lines = [clip(line, LINE_LIMIT) for line in lines]
    dropped = 0
    while lines and len("\n".join([title, *lines])) + 40 > room:
        lines.pop(0)  # the oldest first
        dropped += 1
    if not lines:
        kept: list[Block] = []
    else:
        note = (
            [f"({dropped} earlier line{'s' if dropped != 1 else ''} not shown)"] if dropped else []
        )
        kept = transcript_sections("\n".join([title, *note, *lines]))
    result: list[Block] = []
    for block in blocks:
        if block is parts[0]:
            result += kept  # where the transcript was
        elif not _is_transcript(block):
            result.append(block)
    return result


def _fit_block(block: Block) -> Block:
    """One block within its own limits (a copy; the caller's is left alone)."""
    kind = block.get("type")
    fitted = dict(block)
    if kind == "section":
        if isinstance(block.get("text"), dict):
            fitted["text"] = _clip_text(block["text"], SECTION_TEXT)
        if isinstance(block.get("fields"), list):
            fitted["fields"] = [_clip_text(f, 2000) for f in block["fields"][:FIELDS]]
        if isinstance(block.get("accessory"), dict):
            fitted["accessory"] = _fit_button(block["accessory"])
    elif kind == "header" and isinstance(block.get("text"), dict):
        fitted["text"] = _clip_text(block["text"], HEADER_TEXT)
    elif kind == "context" and isinstance(block.get("elements"), list):
        fitted["elements"] = block["elements"][:CONTEXT_ELEMENTS]
    elif kind == "actions" and isinstance(block.get("elements"), list):
        fitted["elements"] = [_fit_button(e) for e in block["elements"][:ACTIONS_ELEMENTS]]
    return fitted


def _fit_button(element: Block) -> Block:
    if element.get("type") != "button" or not isinstance(element.get("text"), dict):
        return element
    return {**element, "text": _clip_text(element["text"], BUTTON_TEXT)}


def _clip_text(obj: Block, limit: int) -> Block:
    text = obj.get("text")
    return {**obj, "text": clip(text, limit)} if isinstance(text, str) else obj


def _clipped(block: Block, limit: int) -> Block:
    if block.get("type") != "section" or not isinstance(block.get("text"), dict):
        return block
    return {**block, "text": _clip_text(block["text"], limit)}


def _is_transcript(block: Block) -> bool:
    return str(block.get("block_id", "")).startswith(TRANSCRIPT_ID)


def _is_trimmable(block: Block) -> bool:
    return _is_transcript(block) or block.get("block_id") == NOTES_ID

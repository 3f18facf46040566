"""Block Kit checks for chat.postMessage / chat.update, refused as Slack refuses them.

Limits from the Block Kit reference (docs.slack.dev/reference/block-kit/blocks/...):
50 blocks a message; section text 1-3,000 characters, at most 10 fields of up to 2,000;
header plain_text up to 150; context at most 10 elements; actions at most 25 elements
(the documented figure, not 5); a button's text plain_text up to 75, action_id up to 255,
value up to 2,000, url up to 3,000; block_id up to 255. A broken block is
``invalid_blocks`` with each problem and its JSON pointer in
``response_metadata.messages`` ("[ERROR] must be less than 3001 characters
[json-pointer:/blocks/0/text/text]", tests/contracts/samples/). Blocks that pass one by
one but are too much together are ``msg_blocks_too_long``: Slack documents no figure;
people measured about 13,200 characters of text (github.com/slackapi/bolt-js/issues/2509),
so the fake refuses over ``MAX_BLOCKS_TEXT`` characters of text in all blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playground.fake_slack.state import JSON, FakeSlackError

MAX_BLOCKS = 50
MAX_BLOCKS_TEXT = 13_000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
ACTION_ID = 255
BUTTON_VALUE = 2000
URL = 3000
BLOCK_ID = 255
TEXT_TYPES = ("plain_text", "mrkdwn")
KNOWN_BLOCKS = frozenset(
    {"section", "header", "context", "actions", "divider", "image", "rich_text", "markdown"}
)


def check_blocks(blocks: list[JSON]) -> None:
    """Raise FakeSlackError as Slack answers a message whose blocks it refuses."""
    problems = list(_problems(blocks))
    if problems:
        raise FakeSlackError("invalid_blocks", problems[0], messages=problems)
    if _text_size(blocks) > MAX_BLOCKS_TEXT:
        raise FakeSlackError("msg_blocks_too_long")


def _problems(blocks: list[JSON]) -> Iterator[str]:
    if len(blocks) > MAX_BLOCKS:
        yield f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]"
    for i, block in enumerate(blocks):
        yield from _block(block, f"/blocks/{i}")


def _block(block: JSON, at: str) -> Iterator[str]:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        yield f"unsupported type: {kind} [json-pointer:{at}/type]"
        return
    block_id = block.get("block_id")
    if block_id is not None and not (isinstance(block_id, str) and len(block_id) <= BLOCK_ID):
        yield f"must be less than {BLOCK_ID + 1} characters [json-pointer:{at}/block_id]"
    if kind == "section":
        yield from _section(block, at)
    elif kind == "header":
        yield from _text(block.get("text"), f"{at}/text", HEADER_TEXT, plain_only=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            yield f"must provide at least 1 item [json-pointer:{at}/elements]"
        elif len(elements) > CONTEXT_ELEMENTS:
            yield f"no more than {CONTEXT_ELEMENTS} items allowed [json-pointer:{at}/elements]"
    elif kind == "actions":
        yield from _actions(block, at)


def _section(block: JSON, at: str) -> Iterator[str]:
    fields = block.get("fields")
    if block.get("text") is None and not fields:
        yield f"must provide either text or fields [json-pointer:{at}]"
    if block.get("text") is not None:
        yield from _text(block["text"], f"{at}/text", SECTION_TEXT)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > SECTION_FIELDS:
            yield f"no more than {SECTION_FIELDS} items allowed [json-pointer:{at}/fields]"
        else:
            for n, field in enumerate(fields):
                yield from _text(field, f"{at}/fields/{n}", FIELD_TEXT)
    accessory = block.get("accessory")
    if isinstance(accessory, dict) and accessory.get("type") == "button":
        yield from _button(accessory, f"{at}/accessory")


def _actions(block: JSON, at: str) -> Iterator[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        yield f"must provide at least 1 item [json-pointer:{at}/elements]"
        return
    if len(elements) > ACTIONS_ELEMENTS:
        yield f"no more than {ACTIONS_ELEMENTS} items allowed [json-pointer:{at}/elements]"
    for n, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "button":
            yield from _button(element, f"{at}/elements/{n}")


def _button(button: JSON, at: str) -> Iterator[str]:
    yield from _text(button.get("text"), f"{at}/text", BUTTON_TEXT, plain_only=True)
    for name, limit in (("action_id", ACTION_ID), ("value", BUTTON_VALUE), ("url", URL)):
        value = button.get(name)
        if isinstance(value, str) and len(value) > limit:
            yield f"must be less than {limit + 1} characters [json-pointer:{at}/{name}]"


def _text(obj: Any, at: str, limit: int, *, plain_only: bool = False) -> Iterator[str]:
    allowed = ("plain_text",) if plain_only else TEXT_TYPES
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        yield f"must be a valid enum value [json-pointer:{at}/type]"
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield f"must be more than 0 characters [json-pointer:{at}/text]"
    elif len(text) > limit:
        yield f"must be less than {limit + 1} characters [json-pointer:{at}/text]"


def _text_size(node: Any) -> int:
    """Characters of text in every text field, however nested."""
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(_text_size(v) for k, v in node.items() if k != "text" or own == 0)
    if isinstance(node, list):
        return sum(_text_size(v) for v in node)
    return 0

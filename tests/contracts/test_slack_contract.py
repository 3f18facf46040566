"""The fake Slack against Slack's documented payloads (tests/contracts/samples/).

Each sample is verbatim from Slack's docs or its SDKs' test fixtures. The fake must send
the same shapes (an employee's typed message as the composer encodes it, with the same
rich_text elements) and refuse blocks with the same error answers; the product's decoder
must read the real samples as a person reads them in Slack.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from handoff.core.formatted import Mark, Run
from handoff.slack.mrkdwn import Names, decode_message, from_rich_text
from playground.fake_slack.server import FakeSlack

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "xoxb-contract"
CHANNEL = "C111"
JSON = dict[str, Any]


def sample(name: str) -> JSON:
    loaded = json.loads((SAMPLES / name).read_text())
    assert loaded["source"], f"{name} must name its source"
    return dict(loaded)


def without_block_ids(blocks: list[JSON]) -> list[JSON]:
    return [{k: v for k, v in block.items() if k != "block_id"} for block in blocks]


def shape(value: Any) -> Any:
    """The keys and value types of a payload, recursively (lists: their first item's)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(
        bot_token=TOKEN,
        signing_secret="contract-secret",
        team_id="T111",
        channels={CHANNEL: "general"},
        users=[
            {"id": "W111", "name": "walter"},
            {"id": "U111", "name": "u111", "profile": {"display_name": "Ursula"}},
            {"id": "U222", "name": "u222"},
        ],
    )
    yield fake
    await fake.aclose()


@pytest.fixture
async def client(fake: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    async with serve_app(fake.app) as url:
        yield AsyncWebClient(token=TOKEN, base_url=f"{url}/api/")


async def test_a_typed_message_is_sent_as_in_the_bolt_fixture(fake: FakeSlack) -> None:
    real = sample("bolt_message_event.json")["payload"]
    await fake.user_posts("W111", CHANNEL, "Hello World!")
    sent = fake.deliveries[-1].payload
    event = sent["event"]

    assert event["text"] == real["event"]["text"]
    assert without_block_ids(event["blocks"]) == without_block_ids(real["event"]["blocks"])
    # Every field the real event has, with the same type (the fake may add newer ones).
    real_shape, sent_shape = shape(real["event"]), shape(event)
    assert {k: sent_shape.get(k) for k in real_shape} == real_shape
    for key in ("token", "team_id", "api_app_id", "event", "type", "event_id", "event_time"):
        assert shape(sent[key]) == shape(real[key]), key


async def test_a_mention_is_sent_as_in_the_bolt_fixture(fake: FakeSlack) -> None:
    real = sample("bolt_app_mention_event.json")["payload"]["event"]
    await fake.user_posts("U222", CHANNEL, "@Ursula hey")
    event = fake.deliveries[-1].payload["event"]

    assert event["text"] == real["text"] == "<@U111> hey"
    assert without_block_ids(event["blocks"]) == without_block_ids(real["blocks"])


async def test_bold_is_sent_as_in_the_docs_sample(fake: FakeSlack) -> None:
    real = sample("docs_rich_text_bold.json")["payload"]
    await fake.user_posts("W111", CHANNEL, "Hello there, *I am a bold rich text block!*")
    event = fake.deliveries[-1].payload["event"]

    assert event["text"] == "Hello there, *I am a bold rich text block!*"
    assert without_block_ids(event["blocks"]) == [real]


async def test_escaping_is_slacks(fake: FakeSlack) -> None:
    """Slack escapes exactly &, < and > in text; the block keeps the characters."""
    await fake.user_posts("W111", CHANNEL, 'Tom & Jerry\'s <b>"x"</b>')
    event = fake.deliveries[-1].payload["event"]
    assert event["text"] == 'Tom &amp; Jerry\'s &lt;b&gt;"x"&lt;/b&gt;'
    section = event["blocks"][0]["elements"][0]
    assert section["elements"] == [{"type": "text", "text": 'Tom & Jerry\'s <b>"x"</b>'}]


async def test_a_section_over_3000_is_refused_as_slack_does(client: AsyncWebClient) -> None:
    real = sample("invalid_blocks_section_text.json")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL, text="x", blocks=real["request"]["blocks"])
    assert refused.value.response.data == real["response"]


async def test_blocks_too_long_together_are_refused_as_slack_does(client: AsyncWebClient) -> None:
    real = sample("msg_blocks_too_long.json")["response"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "y" * 2900}}
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL, text="x", blocks=[section] * 5)
    assert refused.value.response.data == real
    posted = await client.chat_postMessage(channel=CHANNEL, text="x", blocks=[section] * 4)
    assert posted["ok"]


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "divider"}] * 51,
            "no more than 50 items allowed [json-pointer:/blocks]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": f"b{n}",
                            "text": {"type": "plain_text", "text": "ok"},
                        }
                        for n in range(26)
                    ],
                }
            ],
            "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "b",
                            "text": {"type": "plain_text", "text": "b" * 76},
                        }
                    ],
                }
            ],
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
            "must be a valid enum value [json-pointer:/blocks/0/text/type]",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
        ),
        (
            [{"type": "section", "text": {"type": "plain_text", "text": ""}}],
            "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
        ),
    ],
)
async def test_block_limits_answer_invalid_blocks(
    client: AsyncWebClient, blocks: list[JSON], message: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL, text="x", blocks=blocks)
    data = refused.value.response.data
    assert data["error"] == "invalid_blocks"
    assert f"[ERROR] {message}" in data["response_metadata"]["messages"]


async def test_updates_are_checked_too(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="x")
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "z" * 3001}}]
    with pytest.raises(SlackApiError) as refused:
        await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="x", blocks=too_long)
    assert refused.value.response["error"] == "invalid_blocks"


# -- the product reads the real samples -------------------------------------------------------


def test_the_product_reads_the_documented_samples() -> None:
    names = Names({"U111": "Ursula"})
    message = sample("bolt_message_event.json")["payload"]["event"]
    mention = sample("bolt_app_mention_event.json")["payload"]["event"]
    bold = sample("docs_rich_text_bold.json")["payload"]

    assert decode_message(message, names) == "Hello World!"
    assert decode_message(mention, names) == "@Ursula hey"
    assert decode_message({"text": mention["text"]}, names) == "@Ursula hey"
    assert from_rich_text([bold], names).runs == (
        Run("Hello there, "),
        Run("I am a bold rich text block!", frozenset({Mark.BOLD})),
    )

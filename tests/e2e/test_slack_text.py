"""An employee's Slack reply reaches the customer as a person reads it in Slack.

The fake Slack sends each reply as Slack's composer encodes it (``&amp;``, ``<@U…>``,
``<https://…|label>``, ``:tada:``, ``*bold*``, with a rich_text block beside it); the
customer's Telegram message is read back the way Telegram's HTML parse mode shows it:
its visible characters, and which of them are bold, links, quotes...
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    LUIS,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    settled,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

TELEGRAM_TAGS = {"b", "i", "s", "u", "code", "pre", "a", "blockquote"}


class TelegramHtml(HTMLParser):
    """What a Telegram client shows for an HTML-parse-mode message; refuses any tag the
    Bot API does not accept, as sendMessage does ("can't parse entities")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.open: list[tuple[str, str | None]] = []
        self.spans: list[tuple[str, str, str | None]] = []  # (tag, characters, href)
        self._starts: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, f"Telegram refuses <{tag}>"
        self.open.append((tag, dict(attrs).get("href")))
        self._starts.append(len(self.text))

    def handle_endtag(self, tag: str) -> None:
        opened, href = self.open.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        self.spans.append((tag, self.text[self._starts.pop() :], href))

    def handle_data(self, data: str) -> None:
        self.text += data


def read(message: JSON) -> TelegramHtml:
    shown = TelegramHtml()
    shown.feed(str(message["text"]))
    shown.close()
    assert not shown.open, "unclosed tags"
    return shown


async def _reply(pg: Playground, chat: int, card: JSON, typed: str, after: int) -> TelegramHtml:
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, typed, thread_ts=card["ts"])
    message = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Aisha" in str(m.get("text")), after=after
    )
    return read(message)


async def test_employee_text_arrives_as_written(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1601
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)

    cases: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
        ("Tom & Jerry's is open", "Tom & Jerry's is open", []),
        ("<b>not bold</b> & <i>", "<b>not bold</b> & <i>", []),
        (
            "see [our opening hours](https://shop.example/hours?a=1&b=2)",
            "see our opening hours",
            [("a", "our opening hours", "https://shop.example/hours?a=1&b=2")],
        ),
        ("@Luis knows, ask in #riverside-desk", "@Luis knows, ask in #riverside-desk", []),
        ("It's ready :tada: :+1:", "It's ready 🎉 👍", []),
        (
            "*bold* and _italic_ and ~gone~ and `A&B`",
            "bold and italic and gone and A&B",
            [
                ("b", "bold", None),
                ("i", "italic", None),
                ("s", "gone", None),
                ("code", "A&B", None),
            ],
        ),
        ("> your words\nmy answer", "your words\nmy answer", [("blockquote", "your words", None)]),
    ]
    for typed, reads, spans in cases:
        after = len(pg.telegram.bot_messages(chat))
        shown = await _reply(pg, chat, card, typed, after)
        signature, _, body = shown.text.partition("\n")
        assert signature.startswith("Aisha"), shown.text
        assert body == reads, typed
        assert shown.spans[0] == ("b", "Aisha", None)  # the signature's name
        assert sorted(shown.spans[1:]) == sorted(spans), typed

    # The mention is the person's name, not an id: the fake sent <@U0LUIS01>.
    thread = pg.slack.thread(RIVERSIDE_DESK, card["ts"])
    assert any(f"<@{LUIS}>" in str(m.get("text")) for m in thread)
    assert any(m.get("text") == "Tom &amp; Jerry's is open" for m in thread)

    # The transcript keeps what the customer read, in plain text.
    await settled(worker)
    conv = await conversation(ConversationStore(redis), chat)
    replies = [
        e.detail["text"]
        for e in await ConversationStore(redis).transcript(conv.id)
        if e.kind == "employee_reply"
    ]
    assert "Tom & Jerry's is open" in replies
    assert "It's ready 🎉 👍" in replies

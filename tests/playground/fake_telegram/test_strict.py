"""The fake Telegram is as strict as the real Bot API, driven by the real python-telegram-bot:
presses expire, sendPhoto's limits, texts counted after entity parsing, chats that refuse
the bot (blocked, not found), and the command menu (setMyCommands / getMyCommands)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.serve import serve_app
from playground.fake_telegram.server import FakeTelegram
from tests.playground.fake_telegram.test_server import png

TOKEN = "123456:TEST-fake-telegram-strict"
CHAT = 5151
TOO_OLD = "Query is too old and response timeout expired or query id is invalid"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN)
    try:
        yield fake
    finally:
        await fake.aclose()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with (
        serve_app(fake.app) as url,
        Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot,
    ):
        yield bot


async def _pressed(fake: FakeTelegram, bot: Bot) -> str:
    await fake.customer_sends(CHAT, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    sent = await bot.send_message(CHAT, "Sure?", reply_markup=markup)
    return await fake.customer_presses(CHAT, sent.message_id, "yes")


async def test_a_press_answered_in_time_counts_and_a_late_one_is_too_old(
    fake: FakeTelegram, bot: Bot
) -> None:
    query_id = await _pressed(fake, bot)
    assert await bot.answer_callback_query(query_id)
    [answer] = fake.callback_answers
    assert 0 <= answer["answered_after"] < fake.state.callback_deadline
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # once only
        await bot.answer_callback_query(query_id)

    late = await _pressed(fake, bot)
    fake.state.callback_queries[late]["pressed_at"] = time.monotonic() - 11.0  # 11 s ago
    with pytest.raises(BadRequest) as refused:
        await bot.answer_callback_query(late, text="Done")
    assert refused.value.message.lower() == TOO_OLD.lower()
    assert len(fake.callback_answers) == 1


async def test_an_answer_over_200_characters_is_refused(fake: FakeTelegram, bot: Bot) -> None:
    query_id = await _pressed(fake, bot)
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id, text="x" * 201)


@pytest.mark.parametrize(
    ("width", "height", "fits"),
    [
        (9_000, 1_000, True),  # width + height exactly 10,000
        (9_001, 1_000, False),
        (12_000, 400, False),  # the sum is over, and so is the ratio (30)
        (2_000, 100, True),  # ratio 20
        (2_001, 100, False),  # ratio just over 20
        (100, 2_001, False),
    ],
)
async def test_send_photo_refuses_what_telegram_refuses(
    fake: FakeTelegram, bot: Bot, width: int, height: int, fits: bool
) -> None:
    await fake.customer_sends(CHAT, "hi")
    image = png(width, height)
    if fits:
        sent = await bot.send_photo(CHAT, image)
        assert (sent.photo[-1].width, sent.photo[-1].height) == (width, height)
        return
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(CHAT, image)
    sent = await bot.send_document(CHAT, image, filename="wide.png")  # a file is fine
    assert sent.document is not None
    assert sent.document.file_name == "wide.png"


async def test_send_photo_refuses_over_10_mb_and_uploads_over_50_mb(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.customer_sends(CHAT, "hi")
    header = png(100, 100)
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_SAVE_FILE_INVALID"):
        await bot.send_photo(CHAT, header + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(CHAT, b"\0" * (50 * 1024 * 1024 + 1), filename="big.bin")


async def test_texts_are_counted_after_entity_parsing(fake: FakeTelegram, bot: Bot) -> None:
    await fake.customer_sends(CHAT, "hi")
    # 4,096 characters read, though the HTML sent is longer.
    html = "<b>" + "&amp;" * 96 + "</b>" + "x" * 4000
    sent = await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    assert sent.text is not None
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, html + "x", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(CHAT, b"%PDF", filename="a.pdf", caption="y" * 1025)


async def test_a_chat_that_blocked_the_bot_refuses_until_the_customer_writes(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.customer_sends(CHAT, "hi")
    fake.refuse_chat(CHAT, "blocked")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "Hello?")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_photo(CHAT, png(10, 10))
    assert fake.bot_messages(CHAT) == []
    await fake.customer_sends(CHAT, "I'm back")  # restarting the chat unblocks the bot
    assert (await bot.send_message(CHAT, "Welcome back")).text == "Welcome back"


async def test_a_chat_that_is_gone_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    await fake.customer_sends(CHAT, "hi")
    fake.refuse_chat(CHAT, "not_found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(CHAT, "Hello?")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999_999, "never met")  # a chat the bot never had
    with pytest.raises(ValueError, match="how must be one of"):
        fake.refuse_chat(CHAT, "asleep")


async def test_the_command_menu_is_kept_per_scope(fake: FakeTelegram, bot: Bot) -> None:
    menu = [BotCommand("start", "Welcome"), BotCommand("help", "What I can do")]
    assert await bot.set_my_commands(menu)
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("start", "Welcome"),
        ("help", "What I can do"),
    ]
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start!", "no")])


async def test_the_playground_page_can_make_a_chat_refuse_the_bot(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.customer_sends(CHAT, "hi")
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as http:
        refused = await http.post(f"/_fake/chats/{CHAT}/refusal", json={"how": "blocked"})
        assert refused.json() == {"ok": True}
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "Hello?")
        lifted = await http.post(f"/_fake/chats/{CHAT}/refusal", json={"how": None})
        assert lifted.json() == {"ok": True}
        assert (await bot.send_message(CHAT, "Hello again")).text == "Hello again"
        wrong = await http.post(f"/_fake/chats/{CHAT}/refusal", json={"how": "asleep"})
        assert wrong.status_code == 400
        assert "how must be one of" in wrong.json()["error"]

"""The fake Telegram Bot API, driven by the real python-telegram-bot over local HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.serve import serve_app
from playground.fake_telegram.files import image_size
from playground.fake_telegram.server import CustomerActionError, FakeTelegram

TOKEN = "123456:TEST-fake-telegram-token"
CHAT = 4242


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under -W error) when reading int durations such as retry_after.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN)
    try:
        yield fake
    finally:
        await fake.aclose()


@pytest.fixture
async def url(fake: FakeTelegram) -> AsyncIterator[str]:
    async with serve_app(fake.app) as base_url:
        yield base_url


@pytest.fixture
async def bot(url: str) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot:
        yield bot


@pytest.fixture
async def api(fake: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake.test") as client:
        yield client


@asynccontextmanager
async def polling(application: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=5))
        await application.start()
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


def build_application(url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Talk to a person", callback_data="handoff")]]
        )
        await update.message.reply_text(f"You said: {update.message.text}", reply_markup=keyboard)

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await update.edited_message.reply_text(f"Noted: {update.edited_message.text}")

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Connecting you…")
        await query.edit_message_text(f"Connecting you with a person ({query.data})")

    application = (
        ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
    ).build()
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    application.add_handler(MessageHandler(filters.TEXT, on_text))
    application.add_handler(CallbackQueryHandler(on_press))
    return application


async def test_application_long_polling_conversation(fake: FakeTelegram, url: str) -> None:
    async with polling(build_application(url)):
        sent = await fake.customer_sends(CHAT, "hello", first_name="Dana", username="dana")
        reply = await fake.wait_for_bot_message(CHAT)
        assert reply["text"] == "You said: hello"
        assert reply["from"]["is_bot"] is True
        assert reply["chat"] == {
            "id": CHAT,
            "type": "private",
            "first_name": "Dana",
            "username": "dana",
        }
        button = reply["reply_markup"]["inline_keyboard"][0][0]
        assert button == {"text": "Talk to a person", "callback_data": "handoff"}

        query_id = await fake.customer_presses(CHAT, reply["message_id"], "handoff")
        edited = await fake.wait_for_bot_message(CHAT, lambda m: bool(m["edits"]))
        assert edited["text"] == "Connecting you with a person (handoff)"
        assert edited["edit_date"] >= reply["date"]
        assert "reply_markup" not in fake.state.chats[CHAT].messages[1].api  # edit dropped it
        assert edited["edits"][0]["before"]["text"] == "You said: hello"
        assert fake.callback_answers[0]["callback_query_id"] == query_id
        assert fake.callback_answers[0]["text"] == "Connecting you…"

        await fake.customer_edits(CHAT, sent["message_id"], "hello again")
        noted = await fake.wait_for_bot_message(CHAT, after=1)
        assert noted["text"] == "Noted: hello again"

    chat = fake.messages(CHAT)
    assert [m["from_bot"] for m in chat] == [False, True, True]
    assert [m["message_id"] for m in chat] == [1, 2, 3]
    assert chat[0]["text"] == "hello again"
    assert chat[0]["edits"][0]["before"] == {"text": "hello"}
    assert {call.method for call in fake.calls} >= {"getUpdates", "sendMessage", "editMessageText"}


async def test_photo_document_and_voice_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    picture = png(3, 2)
    await fake.customer_sends_photo(CHAT, picture, caption="my order")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.caption == "my order"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (3, 2)
    downloaded = await (await photo.get_file()).download_as_bytearray()
    assert bytes(downloaded) == picture

    reply_picture = png(5, 4)
    sent = await bot.send_photo(CHAT, photo=reply_picture, caption="Here it is")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (5, 4)
    assert fake.file_bytes(sent.photo[-1].file_id) == reply_picture
    assert fake.bot_messages(CHAT)[-1]["caption"] == "Here it is"
    resent = await bot.send_photo(CHAT, photo=photo.file_id)  # a file_id is reused, not re-sent
    assert resent.photo[-1].file_unique_id == photo.file_unique_id

    document = await bot.send_document(CHAT, document=b"%PDF-1.4 menu", filename="menu.pdf")
    assert document.document is not None
    assert document.document.file_name == "menu.pdf"
    assert fake.file_bytes(document.document.file_id) == b"%PDF-1.4 menu"
    voice = await bot.send_voice(CHAT, voice=b"OggS voice", duration=2)
    assert voice.voice is not None
    assert voice.voice.duration == dtm.timedelta(seconds=2)

    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(CHAT, photo=b"not an image")


async def test_customer_documents_and_voice_are_downloadable(fake: FakeTelegram, bot: Bot) -> None:
    await fake.customer_sends_document(CHAT, b"a,b\n1,2\n", "order.csv", "text/csv")
    await fake.customer_sends_voice(CHAT, b"OggS...", duration=4)
    document_update, voice_update = await bot.get_updates()
    assert document_update.message is not None
    assert voice_update.message is not None
    document = document_update.message.document
    assert document is not None
    assert (document.file_name, document.mime_type) == ("order.csv", "text/csv")
    assert bytes(await (await document.get_file()).download_as_bytearray()) == b"a,b\n1,2\n"
    voice = voice_update.message.voice
    assert voice is not None
    assert bytes(await (await voice.get_file()).download_as_bytearray()) == b"OggS..."


async def test_fail_next_retry_after_and_wrong_token(
    fake: FakeTelegram, bot: Bot, url: str
) -> None:
    await fake.customer_sends(CHAT, "hi")
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "first try")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    assert (await bot.send_message(CHAT, "second try")).text == "second try"

    fake.fail_next("*", status=403, count=2)
    for _ in range(2):
        with pytest.raises(Exception, match="bot was blocked by the user"):
            await bot.get_chat(CHAT)
    assert (await bot.get_chat(CHAT)).id == CHAT

    # Bot.shutdown() skips bots that never initialized, so close the connection pool directly.
    request = HTTPXRequest()
    wrong = Bot("123456:wrong", base_url=f"{url}/bot", request=request)
    try:
        with pytest.raises(InvalidToken):
            await wrong.get_me()
    finally:
        await request.shutdown()


async def test_bot_api_errors_and_message_management(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(CHAT, "nobody is here")
    await fake.customer_sends(CHAT, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    oversized = InlineKeyboardMarkup([[InlineKeyboardButton("big", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "pick", reply_markup=oversized)

    sent = await bot.send_message(CHAT, "draft", reply_to_message_id=1)
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "hi"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("draft", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("mine now", chat_id=CHAT, message_id=1)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard)
    assert fake.bot_messages(CHAT)[0]["reply_markup"] == keyboard.to_dict()

    assert await bot.delete_message(CHAT, sent.message_id)
    assert fake.bot_messages(CHAT)[0]["deleted"] is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(CustomerActionError, match="no bot message"):
        await fake.customer_presses(CHAT, sent.message_id, "yes")

    assert await bot.send_chat_action(CHAT, "typing")
    assert fake.chat_actions[0]["action"] == "typing"
    await bot.set_my_commands([("start", "Start over"), ("human", "Talk to a person")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "human"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert (await bot.get_chat(CHAT)).first_name == "Alex"


async def test_wait_for_bot_message_timeout_lists_what_was_sent(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.customer_sends(CHAT, "hi")
    await bot.send_message(CHAT, "Hello from the bot")
    with pytest.raises(TimeoutError, match="Hello from the bot"):
        await fake.wait_for_bot_message(CHAT, lambda m: m["text"] == "other", timeout=0.05)
    waiter = asyncio.create_task(fake.wait_for_bot_message(CHAT, after=1, timeout=5))
    await asyncio.sleep(0)
    assert not waiter.done()
    await bot.send_message(CHAT, "second")
    assert (await waiter)["text"] == "second"


async def test_get_updates_long_poll_offset_and_allowed_updates(
    fake: FakeTelegram, api: httpx.AsyncClient
) -> None:
    poll = asyncio.create_task(api.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.05)
    assert not poll.done()  # waiting for an update
    await fake.customer_sends(CHAT, "one")
    updates = (await poll).json()["result"]
    assert [u["message"]["text"] for u in updates] == ["one"]

    await fake.customer_sends(CHAT, "two")
    query = {"offset": str(updates[0]["update_id"] + 1), "timeout": "0"}
    again = (await api.get(f"/bot{TOKEN}/GETUPDATES", params=query)).json()["result"]
    assert [u["message"]["text"] for u in again] == ["two"]  # "one" was acknowledged

    only_presses = {"offset": again[0]["update_id"] + 1, "allowed_updates": ["callback_query"]}
    await api.post(f"/bot{TOKEN}/getUpdates", json=only_presses)
    await fake.customer_sends(CHAT, "three")
    assert (await api.post(f"/bot{TOKEN}/getUpdates")).json()["result"] == []

    first = asyncio.create_task(api.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.05)
    await api.post(f"/bot{TOKEN}/getUpdates")
    superseded = await first
    assert superseded.status_code == 409
    assert "terminated by other getUpdates request" in superseded.json()["description"]


async def test_raw_envelopes(fake: FakeTelegram, api: httpx.AsyncClient) -> None:
    async def call(method: str, token: str = TOKEN, **params: Any) -> httpx.Response:
        return await api.post(f"/bot{token}/{method}", data=params)

    assert (await call("getMe")).json()["result"]["username"] == "maple_main_bot"
    assert (await call("getMe", token="1:bad")).json() == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }
    assert (await call("sendSticker")).status_code == 404
    assert (await call("sendMessage", text="hi")).json()["description"] == (
        "Bad Request: chat_id is empty"
    )
    assert (await call("sendMessage", chat_id="1")).json()["description"] == (
        "Bad Request: message text is empty"
    )
    fake.fail_next("getme", retry_after=3)
    throttled = await call("getMe")
    assert throttled.status_code == 429
    assert throttled.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    await fake.customer_sends(CHAT, "hi")
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    sent = await call("sendmessage", chat_id=str(CHAT), text="pick", reply_markup=markup)
    assert sent.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    assert fake.calls_to("sendMessage")[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    query = await api.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": CHAT, "text": "via GET"})
    assert query.json()["result"]["text"] == "via GET"


async def test_webhook_delivery_with_secret_and_conflict(fake: FakeTelegram, bot: Bot) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
    failures_left = 1

    async def hook(request: Request) -> Response:
        nonlocal failures_left
        if failures_left:  # the first delivery fails; the fake must retry, not drop it
            failures_left -= 1
            return Response(status_code=500)
        secret = request.headers.get("x-telegram-bot-api-secret-token")
        received.put_nowait((secret, await request.json()))
        return Response(status_code=200)

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    async with serve_app(receiver) as receiver_url:
        assert await bot.set_webhook(f"{receiver_url}/hook", secret_token="s3cret")
        await fake.customer_sends(CHAT, "via webhook")
        secret, update = await asyncio.wait_for(received.get(), timeout=5)
        assert secret == "s3cret"
        assert update["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.url == f"{receiver_url}/hook"
        assert info.pending_update_count == 0
        assert info.last_error_message is not None
        assert "500" in info.last_error_message
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_webhook_keeps_undeliverable_updates(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/unreachable")
    await fake.customer_sends(CHAT, "kept")
    await asyncio.sleep(0.05)
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook()
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.text == "kept"


async def test_customer_http_api(fake: FakeTelegram, api: httpx.AsyncClient) -> None:
    base = f"/_fake/chats/{CHAT}"
    sent = await api.post(f"{base}/messages", json={"text": "hi", "first_name": "Sam"})
    assert sent.status_code == 200
    assert sent.json()["text"] == "hi"
    assert sent.json()["from_bot"] is False
    assert (await api.get("/_fake/chats")).json()["chats"][0]["first_name"] == "Sam"

    bad = {
        "not json": await api.post(f"{base}/messages", content=b"{"),
        "missing text": await api.post(f"{base}/messages", json={"first_name": "Sam"}),
        "unknown field": await api.post(f"{base}/messages", json={"text": "a", "txt": "b"}),
        "bad chat id": await api.post("/_fake/chats/-5/messages", json={"text": "a"}),
        "too long": await api.post(f"{base}/messages", json={"text": "x" * 4097}),
        "no button": await api.post(f"{base}/press", json={"message_id": 1, "data": "a"}),
        "bad fault": await api.post("/_fake/faults", json={"method": "getMe", "status": 200}),
        "no file": await api.post(f"{base}/photo", data={"first_name": "Sam"}),
        "bad after": await api.get(f"{base}/messages", params={"after": "x"}),
    }
    for name, response in bad.items():
        assert response.status_code == 400, name
        assert response.json()["error"], name
    assert "txt" in bad["unknown field"].json()["error"]

    picture = png(2, 2)
    files = {"file": ("cat.png", picture, "image/png")}
    photo = await api.post(f"{base}/photo", files=files, data={"caption": "cat"})
    assert photo.json()["caption"] == "cat"
    assert (await api.get(photo.json()["photo_url"])).content == picture

    await api.post(f"/bot{TOKEN}/sendPhoto", data={"chat_id": str(CHAT)}, files={"photo": picture})
    listed = (await api.get(f"{base}/messages", params={"after": 2})).json()
    assert listed["next_after"] == 3
    (bot_photo,) = listed["messages"]
    assert bot_photo["from_bot"]
    assert bot_photo["index"] == 2
    assert (await api.get(bot_photo["photo_url"])).content == picture

    edit = await api.post(f"{base}/edit", json={"message_id": 1, "text": "hello"})
    assert edit.json()["text"] == "hello"
    assert (await api.post("/_fake/faults", json={"method": "getMe"})).json() == {"ok": True}
    assert (await api.post(f"/bot{TOKEN}/getMe")).status_code == 429
    assert (await api.post("/_fake/reset")).json() == {"ok": True}
    assert (await api.get("/_fake/chats")).json() == {"chats": []}
    assert fake.calls == []


async def test_mounted_under_a_prefix(fake: FakeTelegram) -> None:
    parent = Starlette(routes=[Mount("/telegram", app=fake.app)])
    async with serve_app(parent) as url:
        base = f"{url}/telegram"
        async with Bot(TOKEN, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as bot:
            await fake.customer_sends_photo(CHAT, png(1, 1))
            (update,) = await bot.get_updates()
            assert update.message is not None
            file = await update.message.photo[-1].get_file()
            assert bytes(await file.download_as_bytearray()) == png(1, 1)
            await bot.send_message(CHAT, "mounted")
        async with httpx.AsyncClient(base_url=base) as client:
            listed = (await client.get(f"/_fake/chats/{CHAT}/messages")).json()["messages"]
            assert listed[1]["text"] == "mounted"
            assert listed[0]["photo_url"].startswith(f"{base}/_fake/files/")
            assert (await client.get(listed[0]["photo_url"])).content == png(1, 1)
        async with Bot(TOKEN, base_url=f"{base}/bot") as bot:
            by_url = await bot.send_photo(CHAT, photo=listed[0]["photo_url"])  # fetched by URL
            assert fake.file_bytes(by_url.photo[-1].file_id) == png(1, 1)


async def test_serve_app_reports_startup_failure() -> None:
    @asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    with pytest.raises(RuntimeError, match="failed to start"):
        async with serve_app(Starlette(lifespan=broken)):
            pass


@given(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1))
def test_image_size_reads_png_and_gif_headers(width: int, height: int) -> None:
    header = struct.pack(">II", width, height)
    assert image_size(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + header) == (width, height)
    gif = b"GIF89a" + struct.pack("<HH", width % 65536, height % 65536)
    assert image_size(gif) == (width % 65536, height % 65536)

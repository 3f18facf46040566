"""The fake Telegram against the Bot API's real error answers (samples/telegram_errors.json).

Each sample is a real server's answer, verbatim, with where it was seen. The fake is put in
the same situation over raw HTTP (no SDK in between to normalise the text) and must answer
byte for byte the same envelope, so a fake that drifts from the real API fails here.
"""

from __future__ import annotations

import json
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.serve import serve_app
from playground.fake_telegram.server import FakeTelegram

SAMPLES = json.loads((Path(__file__).parent / "samples" / "telegram_errors.json").read_text())
TOKEN = "123456:CONTRACT-fake-telegram"
CHAT = 6262
JSON = dict[str, Any]
Situation = Callable[[FakeTelegram, httpx.AsyncClient], Awaitable[httpx.Response]]


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeTelegram, httpx.AsyncClient]]:
    fake = FakeTelegram(TOKEN)
    async with (
        serve_app(fake.app) as url,
        httpx.AsyncClient(base_url=f"{url}/bot{TOKEN}") as http,
    ):
        await fake.customer_sends(CHAT, "hi")
        yield fake, http
    await fake.aclose()


async def _blocked(fake: FakeTelegram, http: httpx.AsyncClient) -> httpx.Response:
    fake.refuse_chat(CHAT, "blocked")
    return await http.post("/sendMessage", json={"chat_id": CHAT, "text": "Hello?"})


async def _chat_not_found(fake: FakeTelegram, http: httpx.AsyncClient) -> httpx.Response:
    return await http.post("/sendMessage", json={"chat_id": 424242, "text": "Hello?"})


async def _query_too_old(fake: FakeTelegram, http: httpx.AsyncClient) -> httpx.Response:
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    sent = await http.post(
        "/sendMessage", json={"chat_id": CHAT, "text": "Sure?", "reply_markup": keyboard}
    )
    query = await fake.customer_presses(CHAT, sent.json()["result"]["message_id"], "yes")
    fake.state.callback_queries[query]["pressed_at"] = time.monotonic() - 60
    return await http.post("/answerCallbackQuery", json={"callback_query_id": query})


async def _photo_dimensions(fake: FakeTelegram, http: httpx.AsyncClient) -> httpx.Response:
    wide = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 12_000, 400)
    files = {"photo": ("wide.png", wide + b"\0" * 64, "image/png")}
    return await http.post("/sendPhoto", data={"chat_id": str(CHAT)}, files=files)


SITUATIONS: dict[str, Situation] = {
    "blocked": _blocked,
    "chat_not_found": _chat_not_found,
    "query_too_old": _query_too_old,
    "photo_dimensions": _photo_dimensions,
}


@pytest.mark.parametrize("sample", SAMPLES["samples"], ids=lambda s: s["situation"])
async def test_the_fake_answers_as_the_real_server_did(
    api: tuple[FakeTelegram, httpx.AsyncClient], sample: JSON
) -> None:
    fake, http = api
    answer = await SITUATIONS[sample["situation"]](fake, http)
    assert answer.status_code == sample["response"]["error_code"]
    assert answer.json() == sample["response"]


def test_every_sample_names_its_source() -> None:
    assert {s["situation"] for s in SAMPLES["samples"]} == set(SITUATIONS)
    assert all(s["source"].startswith("https://") for s in SAMPLES["samples"])

"""A fake Telegram Bot API server for tests and the playground.

`FakeTelegram.app` is a Starlette app speaking the real Bot API HTTP contract (what PTB calls,
under /bot<token>/<method> and /file/bot<token>/<path>), plus a JSON API under /_fake/ through
which a test or the playground page plays the customers. All routes are relative, so the app can
be mounted under any prefix. Call `aclose()` when done (the app's lifespan does it when served
standalone; a parent app mounting it should call it on shutdown).
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.fake_telegram import customer
from playground.fake_telegram.botapi import METHODS
from playground.fake_telegram.customer import CustomerActionError, Profile
from playground.fake_telegram.http import customer_routes
from playground.fake_telegram.params import ApiError, ok, read_params
from playground.fake_telegram.state import ApiCall, FakeState

__all__ = ["ApiCall", "CustomerActionError", "FakeTelegram"]

MessagePredicate = Callable[[dict[str, Any]], bool]


class FakeTelegram:
    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "maple_main_bot",
        bot_first_name: str = "Maple & Main",
    ) -> None:
        self.token = token
        self.bot_id = _bot_id(token)
        self.state = FakeState(
            {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
            }
        )
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._bot_api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
                *customer_routes(self),
            ],
            lifespan=self._lifespan,
        )

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stops background webhook delivery; state stays readable."""
        await self.state.webhook.aclose()

    def reset(self) -> None:
        """Forgets chats, files, updates, webhook, faults and logs (not the bot identity)."""
        self.state.clear()

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.aclose()

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next `count` calls of `method` ("*" = any) answer with this error envelope."""
        self.state.faults.add(
            method, status=status, count=count, retry_after=retry_after, description=description
        )

    def refuse_chat(self, chat_id: int, how: str | None = "blocked") -> None:
        """Every Bot API call about this chat fails as the real server's would: "blocked"
        (403, the customer blocked the bot), "not_found" (400, chat not found),
        "deactivated" (403); None lifts it. The customer writing again lifts it too."""
        self.state.faults.refuse_chat(chat_id, how)

    # --- the customer side -----------------------------------------------------------------

    async def customer_sends(
        self,
        chat_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """A customer writes; creates the chat on first contact and queues a `message` update.

        Name fields left as None keep the chat's current value ("Alex" for a new chat).
        """
        profile = Profile(first_name, last_name, username, language_code)
        return customer.send_text(self.state, chat_id, text, profile)

    async def customer_sends_photo(
        self,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        profile = Profile(first_name, last_name, username)
        return customer.send_photo(self.state, chat_id, data, caption, profile)

    async def customer_sends_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        mime_type: str,
        *,
        caption: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        profile = Profile(first_name, last_name, username)
        return customer.send_document(
            self.state, chat_id, data, file_name, mime_type, caption, profile
        )

    async def customer_sends_voice(
        self,
        chat_id: int,
        data: bytes,
        duration: int = 3,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        profile = Profile(first_name, last_name, username)
        return customer.send_voice(self.state, chat_id, data, duration, profile)

    async def customer_edits(self, chat_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The customer edits one of their text messages; queues an `edited_message` update."""
        return customer.edit(self.state, chat_id, message_id, new_text)

    async def customer_presses(self, chat_id: int, message_id: int, callback_data: str) -> str:
        """Presses an inline button of a bot message; queues a `callback_query`, returns its id."""
        return customer.press(self.state, chat_id, message_id, callback_data)

    def inject_raw_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Test helper: queues ``fields`` as an update exactly as given (only ``update_id`` is
        assigned), for shapes the customer API refuses or cannot make: stickers, locations,
        missing fields, wrong types. Returns the update; delivered by polling or webhook."""
        update = self.state.updates.push_raw(copy.deepcopy(fields))
        self.state.webhook.kick()
        return update

    # --- observing -------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The whole chat in order, both sides, each with from_bot/index/edits/deleted."""
        chat = self.state.chats.get(chat_id)
        return [m.view() for m in chat.messages] if chat else []

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages(chat_id) if m["from_bot"]]

    def chats(self) -> list[dict[str, Any]]:
        return [
            {**chat.api(), "message_count": len(chat.messages)}
            for chat in self.state.chats.values()
        ]

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call with a valid token, in order, including failed ones."""
        return list(self.state.calls)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of each call to `method` (canonical name, e.g. "sendMessage")."""
        return [call.params for call in self.state.calls if call.method == method]

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        return list(self.state.callback_answers)

    @property
    def chat_actions(self) -> list[dict[str, Any]]:
        return list(self.state.chat_actions)

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.state.files.get(file_id)
        if stored is None:
            raise KeyError(f"no file with file_id {file_id!r}")
        return stored.data

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the public API mirrors asyncio.wait_for
        after: int = 0,
    ) -> dict[str, Any]:
        """Waits for a bot message (position >= `after` among the chat's bot messages) that
        satisfies `predicate`; re-checked on every change, so edits count too."""

        def probe() -> dict[str, Any] | None:
            for message in self.bot_messages(chat_id)[after:]:
                if predicate is None or predicate(message):
                    return message
            return None

        found = await self.state.notifier.wait_for(probe, timeout)
        if found is None:
            chat = self.state.chats.get(chat_id)
            sent = [m.summary() for m in chat.bot_messages()] if chat else []
            raise TimeoutError(
                f"no matching bot message in chat {chat_id} within {timeout}s "
                f"(after={after}); the bot sent: {sent or 'nothing'}"
            )
        return found

    # --- Bot API endpoints -----------------------------------------------------------------

    async def _bot_api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        requested = request.path_params["method"]
        method, handler = METHODS.get(requested.lower(), (requested, None))
        try:
            params = await read_params(request)
            self.state.calls.append(ApiCall(method, params.for_log()))
            self.state.webhook.kick()  # any activity retries updates a webhook left pending
            fault = self.state.faults.take(method)
            if fault is not None:
                raise fault
            if handler is None:
                raise ApiError(404, "Not Found")
            return ok(await handler(self.state, params))
        except ApiError as err:
            return err.response()

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        stored = self.state.files.by_path(request.path_params["file_path"])
        if stored is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        return Response(stored.data, media_type=stored.mime_type)


def _bot_id(token: str) -> int:
    prefix = token.split(":", 1)[0]
    if prefix.isdigit():
        return int(prefix)
    return 1_000_000_000 + zlib.crc32(token.encode()) % 1_000_000_000

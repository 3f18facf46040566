"""The /_fake/ JSON API: the playground page (or any HTTP client) plays the customers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.fake_telegram.customer import CustomerActionError

if TYPE_CHECKING:
    from playground.fake_telegram.server import FakeTelegram

M = TypeVar("M", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_WAIT = 30.0  # seconds a GET of messages may long-poll


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SendText(_Body):
    text: str = Field(min_length=1)
    first_name: str | None = Field(default=None, min_length=1, max_length=64)
    last_name: str | None = Field(default=None, max_length=64)
    username: str | None = Field(default=None, max_length=32)
    language_code: str | None = None


class EditText(_Body):
    message_id: int
    text: str = Field(min_length=1)


class Press(_Body):
    message_id: int
    data: str = Field(min_length=1)


class ChatRefusal(_Body):
    how: str | None = "blocked"  # "blocked", "not_found", "deactivated"; null lifts it


class NewFault(_Body):
    method: str = Field(min_length=1)
    status: int = Field(default=429, ge=400, le=599)
    count: int = Field(default=1, ge=1)
    retry_after: int | None = Field(default=None, ge=1)
    description: str | None = None


class BadInput(Exception):
    pass


def customer_routes(fake: FakeTelegram) -> list[Route]:
    def handle(endpoint: Callable[[Request], Awaitable[Any]]) -> Endpoint:
        async def wrapped(request: Request) -> Response:
            try:
                result = await endpoint(request)
            except (BadInput, CustomerActionError) as err:
                return JSONResponse({"error": str(err)}, status_code=400)
            return result if isinstance(result, Response) else JSONResponse(result)

        return wrapped

    async def list_chats(request: Request) -> dict[str, Any]:
        return {"chats": fake.chats()}

    async def send_text(request: Request) -> dict[str, Any]:
        body = await _parse(request, SendText)
        message = await fake.customer_sends(
            _chat_id(request),
            body.text,
            first_name=body.first_name,
            last_name=body.last_name,
            username=body.username,
            language_code=body.language_code or "en",
        )
        return _with_urls(request, message)

    async def send_photo(request: Request) -> dict[str, Any]:
        chat_id = _chat_id(request)
        async with request.form() as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadInput("multipart field 'file' (the photo) is required")
            data = await upload.read()
            caption, first_name = form.get("caption"), form.get("first_name")
        message = await fake.customer_sends_photo(
            chat_id,
            data,
            caption=caption if isinstance(caption, str) else None,
            first_name=first_name if isinstance(first_name, str) else None,
        )
        return _with_urls(request, message)

    async def edit(request: Request) -> dict[str, Any]:
        body = await _parse(request, EditText)
        message = await fake.customer_edits(_chat_id(request), body.message_id, body.text)
        return _with_urls(request, message)

    async def press(request: Request) -> dict[str, Any]:
        body = await _parse(request, Press)
        query_id = await fake.customer_presses(_chat_id(request), body.message_id, body.data)
        return {"callback_query_id": query_id}

    async def list_messages(request: Request) -> dict[str, Any]:
        chat_id = _chat_id(request)
        after = _query_number(request, "after", 0, int)
        wait = min(_query_number(request, "timeout", 0.0, float), MAX_WAIT)
        if wait > 0:  # long poll: answer as soon as message #after exists
            await fake.state.notifier.wait_for(
                lambda: True if len(fake.messages(chat_id)) > after else None, wait
            )
        messages = fake.messages(chat_id)
        return {
            "chat_id": chat_id,
            "messages": [_with_urls(request, m) for m in messages[after:]],
            "next_after": len(messages),
        }

    async def add_fault(request: Request) -> dict[str, Any]:
        body = await _parse(request, NewFault)
        fake.fail_next(**body.model_dump())
        return {"ok": True}

    async def refuse(request: Request) -> dict[str, Any]:
        body = await _parse(request, ChatRefusal)
        try:
            fake.refuse_chat(_chat_id(request), body.how)
        except ValueError as err:
            raise BadInput(str(err)) from None
        return {"ok": True}

    async def reset(request: Request) -> dict[str, Any]:
        fake.reset()
        return {"ok": True}

    async def download(request: Request) -> Response:
        stored = fake.state.files.get(request.path_params["file_id"])
        if stored is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        return Response(stored.data, media_type=stored.mime_type)

    chat = "/_fake/chats/{chat_id}"
    return [
        Route("/_fake/chats", handle(list_chats), methods=["GET"]),
        Route(f"{chat}/messages", handle(send_text), methods=["POST"]),
        Route(f"{chat}/messages", handle(list_messages), methods=["GET"]),
        Route(f"{chat}/photo", handle(send_photo), methods=["POST"]),
        Route(f"{chat}/edit", handle(edit), methods=["POST"]),
        Route(f"{chat}/press", handle(press), methods=["POST"]),
        Route(f"{chat}/refusal", handle(refuse), methods=["POST"]),
        Route("/_fake/faults", handle(add_fault), methods=["POST"]),
        Route("/_fake/reset", handle(reset), methods=["POST"]),
        Route("/_fake/files/{file_id}", download, methods=["GET"]),
    ]


async def _parse(request: Request, model: type[M]) -> M:
    try:
        raw = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput("request body must be JSON") from None
    if not isinstance(raw, dict):
        raise BadInput("request body must be a JSON object")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems = [
            f"{'.'.join(str(part) for part in e['loc']) or 'body'}: {e['msg']}"
            for e in err.errors()
        ]
        raise BadInput("; ".join(problems)) from None


def _chat_id(request: Request) -> int:
    raw = request.path_params["chat_id"]
    try:
        chat_id = int(raw)
    except ValueError:
        raise BadInput(f"chat_id must be a positive integer, got {raw!r}") from None
    if chat_id <= 0:
        raise BadInput(f"chat_id must be a positive integer, got {raw!r}")
    return chat_id


N = TypeVar("N", int, float)


def _query_number(request: Request, name: str, default: N, kind: type[N]) -> N:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise BadInput(f"query parameter {name!r} must be a number, got {raw!r}") from None
    if value < 0:
        raise BadInput(f"query parameter {name!r} must not be negative")
    return value


def _with_urls(request: Request, message: dict[str, Any]) -> dict[str, Any]:
    """Adds URLs the browser can load media from, relative to wherever the app is mounted."""
    if "photo" in message:
        message["photo_url"] = _file_url(request, message["photo"][-1]["file_id"])
    for kind in ("document", "voice"):
        if kind in message:
            message["file_url"] = _file_url(request, message[kind]["file_id"])
    return message


def _file_url(request: Request, file_id: str) -> str:
    root = request.scope.get("root_path", "")
    return str(request.url.replace(path=f"{root}/_fake/files/{file_id}", query=""))

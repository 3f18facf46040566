"""Request parsing and response envelopes of the fake Telegram Bot API.

PTB's HTTPXRequest sends every parameter as a form field (non-strings JSON-encoded), or as
multipart when uploading files; other clients may send JSON or a query string. `Params` hides
those differences behind typed getters that raise the errors the real server answers with.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse

# Parameters the Bot API documents as JSON-serialized objects; decoded in the call log.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
    }
)


class ApiError(Exception):
    """An error answer of the Bot API, rendered as the real error envelope."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return JSONResponse(body, status_code=self.status)


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


@dataclass
class Params:
    """The parameters of one Bot API call, whatever encoding they arrived in."""

    values: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)
    # Resolves when the HTTP client goes away; lets long polls end early.
    wait_disconnect: Callable[[], Awaitable[None]] | None = None

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str, missing: str) -> str:
        value = self.get_str(name)
        if value is None:
            raise bad_request(missing)
        return value

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'parameter "{name}" must be an integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'parameter "{name}" must be an integer') from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'parameter "{name}" must be a number') from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def for_log(self) -> dict[str, Any]:
        """The parameters as received, with JSON-object fields decoded and uploads inlined."""
        logged: dict[str, Any] = {}
        for name, value in self.values.items():
            if name in JSON_FIELDS and isinstance(value, str):
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            logged[name] = value
        return {**logged, **self.uploads}


async def read_params(request: Request) -> Params:
    """Collects query string, JSON, urlencoded and multipart parameters of a request."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        values.update(await _json_body(request))
    elif "form" in content_type:  # urlencoded or multipart/form-data
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    uploads[name] = Upload(data, value.filename, value.content_type)
                else:
                    values[name] = value

    async def wait_disconnect() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    return Params(values, uploads, wait_disconnect)


async def _json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        raise bad_request("can't parse JSON request body") from None
    if not isinstance(parsed, dict):
        raise bad_request("JSON request body must be an object")
    return parsed

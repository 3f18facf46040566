"""The Web API transport: /api/{method} parsing, token checks, fault injection, recording.

slack_sdk sends form bodies, JSON bodies (chat.*), or query strings (its `params=` calls
POST with the arguments in the URL), with the token as a Bearer header or a `token` field;
all of these are merged into one parameter dict.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from playground.fake_slack.state import JSON, FakeSlackError

FAULT_STATUSES = (429, 500)
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
# What slack-manifest.yml asks for; Slack names a token's scopes in this header of every
# Web API response (`tandem doctor` compares them with the manifest).
MANIFEST_SCOPES = (
    "chat:write",
    "channels:history",
    "groups:history",
    "files:write",
    "files:read",
    "commands",
    "users:read",
    "channels:read",
)


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: JSON
    base_url: str  # where this fake is reachable, including any mount prefix


Handler = Callable[[ApiCall], Awaitable[JSON]]


@dataclass
class Fault:
    method: str
    status: int
    remaining: int
    retry_after: int
    after: bool = False  # the call is carried out, then answered with the error


class Faults:
    """Queued failures; "*" matches any method. The oldest matching fault fires first.
    Time windows (``add_window``) fail every matching call until they end."""

    def __init__(self) -> None:
        self.queued: list[Fault] = []
        self.windows: list[tuple[float, Fault]] = []  # (monotonic end, fault)

    def add(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        after: bool = False,
    ) -> Fault:
        if status not in FAULT_STATUSES:
            raise FakeSlackError("invalid_arguments", f"status must be one of {FAULT_STATUSES}")
        if count < 1 or retry_after < 0 or not method:
            raise FakeSlackError("invalid_arguments", "need a method, count >= 1, retry_after >= 0")
        fault = Fault(method, status, count, retry_after, after)
        self.queued.append(fault)
        return fault

    def add_window(
        self, method: str, *, status: int, seconds: float, retry_after: int = 1
    ) -> Fault:
        """Every call of `method` fails with `status` for the next `seconds`."""
        if seconds <= 0:
            raise FakeSlackError("invalid_arguments", "seconds must be positive")
        fault = self.add(method, status=status, retry_after=retry_after)
        self.queued.remove(fault)
        self.windows.append((time.monotonic() + seconds, fault))
        return fault

    def take(self, method: str) -> Fault | None:
        now = time.monotonic()
        self.windows = [(end, fault) for end, fault in self.windows if end > now]
        for _, fault in self.windows:
            if fault.method in ("*", method):
                return fault
        for fault in self.queued:
            if fault.method in ("*", method):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.queued.remove(fault)
                return fault
        return None


def fault_response(fault: Fault) -> Response:
    if fault.status == 429:
        return JSONResponse(
            {"ok": False, "error": "ratelimited"},
            status_code=429,
            headers={"Retry-After": str(fault.retry_after)},
        )
    return PlainTextResponse("internal_error", status_code=fault.status)


def mount_base_url(conn: HTTPConnection) -> str:
    """scheme://host plus the mount prefix, so generated URLs work under /slack too."""
    url = conn.url
    scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    return f"{scheme}://{url.netloc}{conn.scope.get('root_path', '')}".rstrip("/")


def bearer_token(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def read_params(request: Request) -> JSON:
    params: JSON = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            raise FakeSlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise FakeSlackError("invalid_json")
        params.update(body)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form() as form:
            params.update({k: v for k, v in form.items() if not isinstance(v, UploadFile)})
    return params


class WebApi:
    def __init__(
        self,
        handlers: Mapping[str, Handler],
        faults: Faults,
        *,
        bot_token: str,
        app_token: str | None,
        on_call: Callable[[str, JSON, str], None],
    ) -> None:
        self.handlers = handlers
        self.faults = faults
        self.bot_token = bot_token
        self.app_token = app_token
        self.on_call = on_call  # (method, params, base_url): recording and base-URL learning
        self.scopes: list[str] = list(MANIFEST_SCOPES)  # a test may take some away

    async def endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params = await read_params(request)
        except FakeSlackError as error:
            return JSONResponse({"ok": False, "error": error.code})
        token = bearer_token(request) or params.get("token")
        params.pop("token", None)
        base_url = mount_base_url(request)
        self.on_call(method, params, base_url)
        fault = self.faults.take(method)
        if fault is not None and not fault.after:
            return fault_response(fault)
        result = await self.call(method, params, token, base_url)
        if fault is not None:  # done, but the caller hears of a failure
            return fault_response(fault)
        return JSONResponse(result, headers={"x-oauth-scopes": ",".join(self.scopes)})

    async def call(self, method: str, params: JSON, token: str | None, base_url: str) -> JSON:
        handler = self.handlers.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        auth_error = self.check_token(method, token)
        if auth_error:
            return {"ok": False, "error": auth_error}
        try:
            result = await handler(ApiCall(method, params, base_url))
        except FakeSlackError as error:
            return error.response()
        return {"ok": True, **result}

    def check_token(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        expected = self.app_token if method in APP_TOKEN_METHODS else self.bot_token
        if token == expected:
            return None
        if token in (self.bot_token, self.app_token):
            return "not_allowed_token_type"
        return "invalid_auth"


def param_str(params: JSON, name: str, error: str) -> str:
    """A required string argument; Slack answers a missing one with a specific error."""
    value = params.get(name)
    if value is None or value == "":
        raise FakeSlackError(error, f"missing {name}")
    return str(value)


def param_opt(params: JSON, name: str) -> str | None:
    value = params.get(name)
    return None if value is None or value == "" else str(value)


def param_flag(params: JSON, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def param_json_list(params: JSON, name: str, error: str) -> list[JSON] | None:
    """blocks/attachments/files: a list in JSON bodies, a JSON string in form bodies."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise FakeSlackError(error, f"{name} is not JSON") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise FakeSlackError(error, f"{name} must be a list of objects")
    return value

"""The /_fake/ JSON control API: the playground page (or curl) acting as employees.

Bad bodies answer 400 {"error": "..."}; an unknown channel in the path answers 404.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.fake_slack.state import JSON, FakeSlackError, is_top_level

if TYPE_CHECKING:
    from playground.fake_slack.server import FakeSlack


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PostBody(_Body):
    user: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    text: str = Field(min_length=1)
    thread_ts: str | None = None


class ClickBody(_Body):
    user: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    message_ts: str = Field(min_length=1)
    action_id: str = Field(min_length=1)
    value: str | None = None


class CommandBody(_Body):
    user: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    command: str = Field(pattern=r"^/\S+$")
    text: str = ""


class FaultBody(_Body):
    method: str = Field(min_length=1)
    status: Literal[429, 500] = 429
    count: int = Field(default=1, ge=1)
    retry_after: int = Field(default=1, ge=0)
    after: bool = False  # carried out first, then answered with the error


M = TypeVar("M", bound=_Body)


def bad_request(error: str) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=400)


async def parse(request: Request, model: type[M]) -> M | JSONResponse:
    try:
        return model.model_validate_json(await request.body() or b"")
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        return bad_request(f"invalid body: {problems}")


def thread_view(messages: list[JSON]) -> list[JSON]:
    """Top-level messages, each carrying its replies, as a chat client would show them."""
    view = []
    for message in messages:
        if not is_top_level(message):
            continue
        replies = [m for m in messages if m.get("thread_ts") == message["ts"] != m["ts"]]
        view.append({**copy.deepcopy(message), "reply_count": len(replies), "replies": replies})
    return view


def control_routes(fake: FakeSlack) -> list[Route]:
    async def channels(request: Request) -> Response:
        bot = fake.identity.bot_user_id
        listed = [
            {**c.info(bot), "message_count": len(c.messages)}
            for c in fake.workspace.channels.values()
        ]
        return JSONResponse({"channels": listed})

    async def channel_messages(request: Request) -> Response:
        try:
            channel = fake.channel(request.path_params["channel"])
        except FakeSlackError as error:
            return JSONResponse({"error": str(error)}, status_code=404)
        messages = copy.deepcopy(channel.messages)
        return JSONResponse({"channel": channel.id, "messages": thread_view(messages)})

    async def post(request: Request) -> Response:
        body = await parse(request, PostBody)
        if isinstance(body, Response):
            return body
        try:
            message = await fake.user_posts(
                body.user, body.channel, body.text, thread_ts=body.thread_ts
            )
        except FakeSlackError as error:
            return bad_request(str(error))
        return JSONResponse({"ok": True, "message": message})

    async def click(request: Request) -> Response:
        body = await parse(request, ClickBody)
        if isinstance(body, Response):
            return body
        try:
            delivery = await fake.user_clicks(
                body.user, body.channel, body.message_ts, body.action_id, value=body.value
            )
        except FakeSlackError as error:
            return bad_request(str(error))
        return JSONResponse({"ok": delivery.ok, "delivery": delivery.to_json()})

    async def command(request: Request) -> Response:
        body = await parse(request, CommandBody)
        if isinstance(body, Response):
            return body
        try:
            delivery = await fake.user_runs_command(
                body.user, body.channel, body.command, body.text
            )
        except FakeSlackError as error:
            return bad_request(str(error))
        return JSONResponse({"ok": delivery.ok, "delivery": delivery.to_json()})

    async def users(request: Request) -> Response:
        return JSONResponse({"users": list(fake.workspace.users.values())})

    async def ephemerals(request: Request) -> Response:
        return JSONResponse({"ephemerals": fake.ephemerals(request.query_params.get("user"))})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = await parse(request, FaultBody)
            if isinstance(body, Response):
                return body
            fake.fail_next(
                body.method,
                status=body.status,
                count=body.count,
                retry_after=body.retry_after,
                after=body.after,
            )
        return JSONResponse({"ok": True, "queued": [vars(f) for f in fake.faults.queued]})

    async def deliveries(request: Request) -> Response:
        return JSONResponse({"deliveries": [d.to_json() for d in fake.deliveries]})

    async def calls(request: Request) -> Response:
        listed = [{"method": method, "params": params} for method, params in fake.calls]
        return JSONResponse({"calls": listed})

    return [
        Route("/_fake/channels", channels, methods=["GET"]),
        Route("/_fake/channels/{channel}/messages", channel_messages, methods=["GET"]),
        Route("/_fake/post", post, methods=["POST"]),
        Route("/_fake/click", click, methods=["POST"]),
        Route("/_fake/command", command, methods=["POST"]),
        Route("/_fake/users", users, methods=["GET"]),
        Route("/_fake/ephemerals", ephemerals, methods=["GET"]),
        Route("/_fake/faults", faults, methods=["GET", "POST"]),
        Route("/_fake/deliveries", deliveries, methods=["GET"]),
        Route("/_fake/calls", calls, methods=["GET"]),
    ]

"""The door in front of bolt on the public ``/slack/events`` (HTTP mode).

bolt verifies the signature, then trusts the body: a signed but malformed payload (an
``event`` that is not an object, a non-numeric timestamp header, a ``payload`` field that
is not JSON) makes it raise and answer 500 with a traceback. The gate answers those
itself, in this order, so nothing about a body is revealed before its signature is
checked: 413 over the size cap, 401 unless signed with the app's secret within five
minutes, 400 when the body is not a Slack payload of a known shape. The rest goes to bolt.

A signature stays valid for those five minutes, so the same signed command or click sent
again would run again: ``ReplayCheck``, registered in bolt (after bolt's own signature
check, handoff/slack/app.py), keeps each signed request's mark in Redis for longer than
the window and acknowledges a replay with an empty 200 without running it. Events have
their ``event_id`` dedupe (handoff/slack/inbox.py) and Slack's own retries of them, so
they pass; Socket Mode requests are not signed, so they pass too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from handoff.errors import RedisUnavailable
from handoff.http_body import read_capped
from handoff.slack.payloads import envelope_problem
from handoff.storage.live.replays import SignedRequests

log = logging.getLogger(__name__)

# Slack's largest payloads (a 40,000-character message with its blocks, a big modal) stay
# well under this; anything larger is refused before it is held in memory.
MAX_BODY_BYTES = 2 * 1024 * 1024
PATH = "/slack/events"
EVENT_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})


def slack_events_route(app: AsyncApp, signing_secret: str) -> Route:
    """``POST /slack/events`` for the worker's HTTP app: the gate, then bolt's handler."""
    gate = SlackGate(AsyncSlackRequestHandler(app), signing_secret)
    return Route(PATH, gate.endpoint, methods=["POST"])


class SlackGate:
    def __init__(self, handler: AsyncSlackRequestHandler, signing_secret: str) -> None:
        self.handler = handler
        self.verifier = SignatureVerifier(signing_secret)

    async def endpoint(self, request: Request) -> Response:
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return PlainTextResponse("too large", status_code=413)
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature")
        if not stamp.isdigit() or not self.verifier.is_valid(body, stamp, signature):
            return PlainTextResponse("invalid request", status_code=401)
        problem = _problem(body, request.headers.get("content-type", ""))
        if problem is not None:
            log.warning("malformed slack request refused", extra={"problem": problem})
            return PlainTextResponse("malformed payload", status_code=400)
        return await self.handler.handle(_replay(request, body))


def _problem(body: bytes, content_type: str) -> str | None:
    try:
        text = body.decode()
        if content_type.startswith("application/json"):
            return envelope_problem(json.loads(text))
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:  # interactivity: one JSON field
            return envelope_problem(json.loads(form["payload"][0]))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return "not a Slack payload"
    return None  # a slash command: form fields, all strings


def _replay(request: Request, body: bytes) -> Request:
    """The same request with its body readable again (the stream was consumed above)."""

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


class ReplayCheck:
    """bolt middleware: a signed command or click seen before is acknowledged, not run."""

    def __init__(self, requests: SignedRequests) -> None:
        self.requests = requests

    def register(self, app: AsyncApp) -> None:
        app.use(self.check)

    async def check(
        self, req: AsyncBoltRequest, body: dict[str, Any], next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        stamp = _header(req, "x-slack-request-timestamp")
        signature = _header(req, "x-slack-signature")
        if body.get("type") in EVENT_TYPES or req.lazy_only or not stamp or not signature:
            await next_()
            return None
        try:
            fresh = await self.requests.first_time(stamp, signature)
        except RedisUnavailable:
            # Every action needs Redis (the chat's lock) too, so a replay can change nothing
            # now; the request goes on and fails or answers as it would have.
            log.warning("replay check skipped: redis unavailable")
            fresh = True
        if fresh:
            await next_()
            return None
        kind = body.get("type") or ("command" if "command" in body else "other")
        log.warning("replayed slack request ignored", extra={"kind": str(kind)[:40]})
        return BoltResponse(status=200, body="")


def _header(req: AsyncBoltRequest, name: str) -> str | None:
    values = req.headers.get(name) or ()
    return values[0] if values and isinstance(values[0], str) and values[0] else None

"""Delivering payloads to the app's Request URL over HTTP, signed and retried like Slack.

Slack retries only Events API deliveries, on its own schedule: a failed or slow (3 s)
delivery is retried nearly immediately, then after 1 minute, then after 5 minutes, with
X-Slack-Retry-Num 1-3 and X-Slack-Retry-Reason (``http_timeout``, ``http_error``,
``connection_failed``...), and then given up; a failure answered with
``X-Slack-No-Retry: 1`` is not retried (docs.slack.dev/apis/events-api/#retries).
``RetryClock`` runs that schedule on a clock the tests control: ``scale`` shrinks the
minutes (0.002 makes them 0.12 s and 0.6 s) and ``sleep`` can be replaced.
Interactivity and slash commands get one attempt and the user sees an error otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from playground.fake_slack.payloads import EVENTS_API, http_body
from playground.fake_slack.state import JSON


@dataclass
class Attempt:
    """One try: `status` is the HTTP status (200 for a socket ack), None if none came."""

    retry_num: int
    status: int | None
    elapsed: float
    error: str | None = None
    no_retry: bool = False  # the app's failure said X-Slack-No-Retry: 1

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Delivery:
    """One event / interaction / command sent to the app, with every attempt at it."""

    kind: str
    payload: JSON
    mode: str = "none"  # "http" | "socket" | "none" (no app connected)
    attempts: list[Attempt] = field(default_factory=list)
    response: JSON | None = None  # the app's immediate answer: HTTP body or ack payload
    response_text: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].ok

    @property
    def status(self) -> int | None:
        return self.attempts[-1].status if self.attempts else None

    @property
    def elapsed(self) -> float | None:
        return self.attempts[-1].elapsed if self.attempts else None

    def to_json(self) -> JSON:
        return {
            "kind": self.kind,
            "mode": self.mode,
            "ok": self.ok,
            "status": self.status,
            "elapsed": self.elapsed,
            "attempts": [vars(a) for a in self.attempts],
            "response": self.response,
            "payload": self.payload,
        }


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature: v0= + HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def parse_immediate_response(text: str, content_type: str) -> JSON | None:
    """Slack reads a JSON body as a message and a plain non-empty body as its text."""
    if not text.strip():
        return None
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return {"text": text}
        return parsed if isinstance(parsed, dict) else {"text": text}
    return {"text": text}


# Seconds before each retry, after the attempt before it failed: Slack's own schedule.
SLACK_RETRY_DELAYS = (0.0, 60.0, 300.0)
DEFAULT_TIME_SCALE = 0.002  # tests and the playground: the schedule in 0.72 s


@dataclass
class RetryClock:
    """When Events API deliveries are retried: ``delays`` (Slack's seconds) times ``scale``,
    slept with ``sleep`` (``asyncio.sleep`` unless a test gives its own)."""

    scale: float = DEFAULT_TIME_SCALE
    delays: tuple[float, ...] = SLACK_RETRY_DELAYS
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def __post_init__(self) -> None:
        if self.scale < 0 or any(d < 0 for d in self.delays):
            raise ValueError("the retry clock's scale and delays cannot be negative")

    @property
    def retries(self) -> int:
        return len(self.delays)

    async def before_retry(self, retry_num: int) -> None:
        """Wait before retry ``retry_num`` (1-based)."""
        delay = self.delays[retry_num - 1] * self.scale
        if delay > 0:
            await self.sleep(delay)


class HttpDeliverer:
    def __init__(self, signing_secret: str, *, timeout: float, clock: RetryClock):
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.clock = clock
        # One session, reused: a client per attempt built a new TLS context each time (most
        # of the load benchmark's own CPU) and a new connection to the app. aiohttp: about
        # half httpx's CPU a request.
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:  # connections belong to a loop
            # No cap on connections, like a client per attempt; idle ones are dropped well
            # before uvicorn's 5 s keep-alive ends, so none is reused just as it closes.
            # aiohttp ignores proxy settings in the environment (trust_env is off): local
            # deliveries must never go through one.
            connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=2.0)
            self._session, self._loop = aiohttp.ClientSession(connector=connector), loop
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = self._loop = None

    async def deliver(self, url: str, delivery: Delivery) -> None:
        delivery.mode = "http"
        body, content_type = http_body(delivery.kind, delivery.payload)
        tries = 1 + (self.clock.retries if delivery.kind == EVENTS_API else 0)
        reason = ""
        for retry_num in range(tries):
            if retry_num:
                await self.clock.before_retry(retry_num)
            attempt, answer = await self._attempt(url, body, content_type, retry_num, reason)
            delivery.attempts.append(attempt)
            if attempt.ok and answer is not None:
                text, ctype = answer
                delivery.response_text = text
                delivery.response = parse_immediate_response(text, ctype)
                return
            if attempt.no_retry:
                return  # the app asked Slack not to retry this failure
            reason = attempt.error or "http_error"

    def headers(
        self, body: bytes, content_type: str, retry_num: int, reason: str
    ) -> dict[str, str]:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(self.signing_secret, timestamp, body),
        }
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = reason
        return headers

    async def _attempt(
        self, url: str, body: bytes, content_type: str, retry_num: int, reason: str
    ) -> tuple[Attempt, tuple[str, str] | None]:
        """The attempt, and the app's answer (body text, content type) when it answered."""
        headers = self.headers(body, content_type, retry_num, reason)
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self._http().post(url, data=body, headers=headers, timeout=timeout) as r:
                text = (await r.read()).decode(errors="replace")
                status, ctype = r.status, r.headers.get("content-type", "")
                no_retry = r.headers.get("x-slack-no-retry") == "1"
        except TimeoutError:
            return Attempt(retry_num, None, time.monotonic() - started, "http_timeout"), None
        except (aiohttp.ClientError, OSError):
            return Attempt(retry_num, None, time.monotonic() - started, "connection_failed"), None
        elapsed = time.monotonic() - started
        if 200 <= status < 300:
            return Attempt(retry_num, status, elapsed), (text, ctype)
        return Attempt(retry_num, status, elapsed, "http_error", no_retry), (text, ctype)

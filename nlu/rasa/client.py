"""The adapter for the Rasa NLU server (``rasa run --enable-api``)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

import aiohttp

from nlu.errors import NluUnavailable
from nlu.rasa.result import NluResult
from nlu.rasa.timing import note_parse

log = logging.getLogger(__name__)

# Rasa parses one message at a time; a few requests in flight keep it busy while this
# worker's event loop is busy too. The rest queue here, first come first served (aiohttp's
# own pool lets a few requests wait for seconds under load).
CONNECTIONS = 8


class Nlu(Protocol):
    async def parse(self, text: str) -> NluResult: ...


class RasaClient:
    """Calls ``POST /model/parse``; every failure becomes ``NluUnavailable``.

    ``timeout`` bounds a whole call, the wait for a free connection included, so a queue
    longer than Rasa clears in that time turns into handoffs instead of ever-later answers.
    aiohttp, not httpx: under load httpx's pool cost over twice the CPU per parse.
    """

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._slots = asyncio.Semaphore(CONNECTIONS)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use: aiohttp wants a running event loop
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS))
        return self._session

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with asyncio.timeout(self.timeout), self._slots:
            url = f"{self.base_url}{path}"  # any path in RASA_URL is kept, as a prefix
            async with self._http().request(method, url, json=body) as response:
                response.raise_for_status()
                return await response.json(content_type=None)

    async def parse(self, text: str) -> NluResult:
        """The parse; its time, answered or failed, counts against the message being
        handled in this task (handoff/metrics.py), a parse stopped half-way (cancelled) not."""
        started = time.perf_counter()
        try:
            result = NluResult.from_rasa(await self._call("POST", "/model/parse", {"text": text}))
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            note_parse(time.perf_counter() - started)
            log.warning("rasa parse failed", extra={"error": type(exc).__name__})
            raise NluUnavailable(
                f"Rasa at {self.base_url} did not answer: {_describe(exc)}"
            ) from exc
        note_parse(time.perf_counter() - started)
        return result

    async def check(self) -> None:
        """Fail with one clear message unless a trained model is loaded."""
        try:
            status = await self._call("GET", "/status")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise NluUnavailable(
                f"RASA_URL: no Rasa server answers at {self.base_url} ({type(exc).__name__})"
            ) from exc
        if not isinstance(status, dict) or not status.get("model_file"):
            raise NluUnavailable(f"RASA_URL: the Rasa server at {self.base_url} has no model")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return str(exc) or type(exc).__name__

"""The adapter for the Rasa NLU server (``rasa run --enable-api``)."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import httpx

from bot.errors import NluUnavailable
from bot.metrics import note_parse
from nlu.result import NluResult

log = logging.getLogger(__name__)


class Nlu(Protocol):
    async def parse(self, text: str) -> NluResult: ...


class RasaClient:
    """Calls ``POST /model/parse``; every failure becomes ``NluUnavailable``."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def parse(self, text: str) -> NluResult:
        started = time.perf_counter()
        try:
            response = await self.http.post("/model/parse", json={"text": text})
            response.raise_for_status()
            return NluResult.from_rasa(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("rasa parse failed", extra={"error": type(exc).__name__})
            raise NluUnavailable(f"Rasa at {self.base_url} did not answer: {exc}") from exc
        finally:
            note_parse(time.perf_counter() - started)  # the message's parse time (bot/metrics)

    async def check(self) -> None:
        """Fail with one clear message unless a trained model is loaded."""
        try:
            response = await self.http.get("/status")
            response.raise_for_status()
            status = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NluUnavailable(
                f"RASA_URL: no Rasa server answers at {self.base_url} ({type(exc).__name__})"
            ) from exc
        if not status.get("model_file"):
            raise NluUnavailable(f"RASA_URL: the Rasa server at {self.base_url} has no model")

    async def aclose(self) -> None:
        await self.http.aclose()

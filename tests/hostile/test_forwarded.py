"""A client cannot choose its own address with X-Forwarded-For: the header is believed
only from a proxy listed in FORWARDED_ALLOW_IPS (none by default), even from 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.serve import serve_app

SPOOFED = {"x-forwarded-for": "6.6.6.6", "x-forwarded-proto": "https"}


async def _whoami(request: Request) -> JSONResponse:
    client = request.client.host if request.client else None
    return JSONResponse({"client": client, "scheme": request.url.scheme})


APP = Starlette(routes=[Route("/", _whoami)])


async def test_a_local_peer_cannot_choose_its_address_by_default() -> None:
    async with serve_app(APP) as url, httpx.AsyncClient(base_url=url) as http:
        seen = (await http.get("/", headers=SPOOFED)).json()
    assert seen == {"client": "127.0.0.1", "scheme": "http"}


async def test_the_uvicorn_variable_alone_does_not_trust_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # uvicorn reads it when not told
    async with serve_app(APP) as url, httpx.AsyncClient(base_url=url) as http:
        seen = (await http.get("/", headers=SPOOFED)).json()
    assert seen["client"] == "127.0.0.1"


async def test_a_listed_proxy_passes_the_client_address_on() -> None:
    async with (
        serve_app(APP, forwarded_allow_ips="127.0.0.1") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        seen = (await http.get("/", headers=SPOOFED)).json()
    assert seen == {"client": "6.6.6.6", "scheme": "https"}

"""The playground page and its static files are served by the composed playground app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from playground.app import Playground

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "playground" / "static"


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=Playground.for_business(ROOT / "data").app())
    async with httpx.AsyncClient(transport=transport, base_url="http://playground.test") as c:
        yield c


async def test_root_serves_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<title>Tandem playground" in page
    assert "what time does Riverside close today?" in page
    for name in ("playground.css", "telegram.js", "slack.js"):
        assert f'"/static/{name}"' in page


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("index.html", "text/html"),
        ("playground.css", "text/css"),
        ("render.js", "javascript"),
        ("telegram.js", "javascript"),
        ("slack.js", "javascript"),
    ],
)
async def test_static_files_load(client: httpx.AsyncClient, name: str, media_type: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]
    assert response.content == (STATIC / name).read_bytes()


async def test_unknown_static_file_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/nope.js")).status_code == 404


async def test_the_fakes_stay_mounted_beside_the_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/telegram/_fake/chats")).json() == {"chats": []}
    channels = (await client.get("/slack/_fake/channels")).json()["channels"]
    assert "handoff" in {c["name"] for c in channels}


def test_scripts_never_build_markup_from_strings() -> None:
    for script in STATIC.glob("*.js"):
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{script.name} uses {sink}"

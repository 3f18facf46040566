"""What the page reads about the business: its name, and its timezone for every time shown."""

from __future__ import annotations

from pathlib import Path

import httpx

from nlu.facts.stores import StoreDirectory
from playground.app import Playground

DATA = Path(__file__).resolve().parents[2] / "data"


async def test_the_page_gets_the_business_s_timezone() -> None:
    stores = StoreDirectory.load(DATA / "stores.yml")
    transport = httpx.ASGITransport(app=Playground.for_business(DATA).app())
    async with httpx.AsyncClient(transport=transport, base_url="http://playground.test") as c:
        response = await c.get("/playground.json")
    assert response.status_code == 200
    assert response.json() == {
        "business": stores.business_name,
        "timezone": stores.business.timezone,
    }
    assert stores.business.timezone == "America/Detroit"  # not the browser's, nor UTC

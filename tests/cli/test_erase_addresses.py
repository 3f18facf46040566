"""`tandem erase --customer` takes a customer's address: a Telegram chat id as before, or
``channel:id`` for another channel (handoff/core/addresses.py); a typo is refused."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from redis.asyncio import Redis

from handoff.storage.store import ConversationStore

ROOT = Path(__file__).resolve().parents[2]


async def tandem(*args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args,
        cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_another_channels_customer_is_erased_by_address(
    redis: Redis, redis_url: str, tmp_path: Path
) -> None:
    store = ConversationStore(redis)
    await store.remember("web:v1", first_name="Ada")
    await store.remember("12345", first_name="Tom")  # Telegram's 12345, someone else
    code, out, _ = await tandem(
        "erase", "--customer", "web:v1", REDIS_URL=redis_url, STATE_DIR=str(tmp_path)
    )
    assert code == 0
    assert "erased customer web:v1" in out
    assert await store.customer("web:v1") == {}
    assert await store.customer("12345") == {"first_name": "Tom"}


async def test_a_customer_that_is_no_address_is_refused_with_the_reason(redis_url: str) -> None:
    for typed in ("alex", "Web:v1", "web:"):
        code, _, err = await tandem("erase", "--customer", typed, REDIS_URL=redis_url)
        assert code == 2
        assert "expected" in err
        assert "Traceback" not in err

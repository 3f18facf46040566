"""``tandem erase`` and ``tandem hash-password``."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

from redis.asyncio import Redis

from handoff.errors import HandoffConfigError
from handoff.review.accounts import hash_password
from handoff.review.config import ReviewSettings
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.erasure import Eraser
from handoff.storage.store import ConversationStore

MARKER = "valkey.json"


@contextlib.contextmanager
def remember_embedded_redis(state_dir: Path, url: str) -> Iterator[None]:
    """While `tandem run` serves the embedded Valkey, say where (for `tandem erase`)."""
    marker = state_dir / MARKER
    marker.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


async def _redis_url(settings: ReviewSettings, stack: AsyncExitStack) -> str:
    if settings.redis_url:
        return settings.redis_url
    marker = settings.state_dir / MARKER
    if marker.exists():
        info = json.loads(marker.read_text())
        if _alive(int(info["pid"])):
            return str(info["url"])
    server = EmbeddedRedis(settings.state_dir / "valkey")
    url = await server.start()
    stack.push_async_callback(server.stop)
    return url


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def erase_command(
    settings: ReviewSettings, customer: str | None, older_than_days: int | None, by: str | None
) -> int:
    who = by or getpass.getuser()
    async with AsyncExitStack() as stack:
        redis = connect_redis(await _redis_url(settings, stack))
        stack.push_async_callback(redis.aclose)
        store = ConversationStore(redis)
        await store.check()
        eraser = Eraser(store, AuditLog(redis, prefix=store.prefix))
        if customer is not None:
            count = await eraser.erase_customer(customer, by=who)
            print(f"erased customer {customer}: {count} conversation(s); audit record written")
        else:
            assert older_than_days is not None
            count = await eraser.erase_older_than(
                older_than_days, by=who, now=await _server_time(redis)
            )
            print(f"erased {count} conversation(s) idle for over {older_than_days} days")
    return 0


async def _server_time(redis: Redis) -> float:
    """Redis's clock: every worker and this command agree on it."""
    seconds, micros = await redis.time()
    return seconds + micros / 1_000_000


def hash_password_command() -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise HandoffConfigError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise HandoffConfigError(str(exc)) from None
    print(hashed)
    return 0

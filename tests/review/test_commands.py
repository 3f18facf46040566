"""`tandem erase` and `tandem hash-password` as a user runs them, and the new settings."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.errors import ConfigError
from bot.settings import load_settings
from handoff.review.accounts import Accounts
from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from tests.review.seed import Script, seed

ROOT = Path(__file__).resolve().parents[2]
TANDEM = [sys.executable, "-m", "bot.cli"]


async def tandem(*args: str, stdin: str = "", **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *TANDEM, *args,
        cwd=ROOT, env={**os.environ, **env},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate(stdin.encode())
    return process.returncode or 0, out.decode(), err.decode()


async def test_erase_customer_command_writes_the_audit_record(
    redis: Redis, redis_url: str, store: ConversationStore, tmp_path: Path
) -> None:
    await seed(store, Script(77, "Alex", "downtown", messages=[(0, "please forget me")]))
    code, out, err = await tandem(
        "erase", "--customer", "77", "--by", "privacy-officer",
        REDIS_URL=redis_url, STATE_DIR=str(tmp_path),
    )  # fmt: skip
    assert code == 0, err
    assert '"level": "error"' not in err
    assert out.strip() == "erased customer 77: 1 conversation(s); audit record written"
    assert await store.customer("77") == {}
    [record] = await AuditLog(redis).recent()
    assert (record.action, record.by, record.detail) == (
        "erase_customer", "privacy-officer", {"customer": "77", "count": 1}
    )  # fmt: skip

    code, out, _ = await tandem(
        "erase", "--older-than-days", "1", REDIS_URL=redis_url, STATE_DIR=str(tmp_path)
    )
    assert code == 0
    assert "erased 0 conversation(s)" in out
    assert (await AuditLog(redis).recent())[0].action == "retention"


async def test_erase_needs_a_target_and_a_sane_number(redis_url: str) -> None:
    code, _, err = await tandem("erase", REDIS_URL=redis_url)
    assert code == 2
    assert "one of the arguments --customer --older-than-days is required" in err
    code, _, err = await tandem("erase", "--older-than-days", "0", REDIS_URL=redis_url)
    assert code != 0
    assert "at least 1" in err


async def test_hash_password_prints_a_hash_that_signs_in() -> None:
    code, out, _ = await tandem("hash-password", stdin="a very good password\n")
    assert code == 0
    assert Accounts({"alice": out.strip()}).verify("alice", "a very good password")
    code, _, err = await tandem("hash-password", stdin="short\n")
    assert code == 2
    assert "at least 10 characters" in err


def test_review_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_USERS", "alice:not-a-hash")
    with pytest.raises(ConfigError, match="REVIEW_USERS: account alice: expected an argon2"):
        load_settings()
    monkeypatch.delenv("REVIEW_USERS")
    monkeypatch.setenv("RETENTION_DAYS", "0")
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        load_settings()
    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert load_settings().retention_days == 30

"""Flooding the audit log with failed sign-ins hides nothing: they are counted apart per
address and hour, the log is paged and searchable, and the export holds every entry."""

from __future__ import annotations

import asyncio
import csv
import io

from redis.asyncio import Redis

from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from tests.hostile.dashboard import Clock, client_at, dashboard, form_token, pooled, sign_in
from tests.review.seed import T0, Script, seed

ATTACKER = "198.51.100.66"


async def _flood(app: object, count: int) -> None:
    """Wrong passwords for many made-up names (so no name's back-off slows the flood)."""
    async with client_at(app, ATTACKER) as attacker:  # type: ignore[arg-type]
        token = await form_token(attacker)

        async def one(n: int) -> None:
            form = {"csrf": token, "name": f"user{n}", "password": "wrong password"}
            await attacker.post("/review/login", data=form)

        await asyncio.gather(*(one(n) for n in range(count)))


async def test_a_flood_of_failed_sign_ins_does_not_hide_who_read_a_transcript(
    redis: Redis, redis_url: str
) -> None:
    async with pooled(redis_url) as worker_redis:
        await _flooded(ConversationStore(worker_redis))


async def _flooded(store: ConversationStore) -> None:
    clock = Clock(T0 + 3600)
    app = dashboard(store, clock)
    conv = await seed(store, Script(1, "Jordan", "downtown", messages=[(0, "hi")]))
    async with client_at(app, "203.0.113.7") as alice:
        assert (await sign_in(alice)).status_code == 303
        assert (await alice.get(f"/review/c/{conv.id}")).status_code == 200
        await _flood(app, 220)
        page = await alice.get("/review/audit")
        assert page.status_code == 200
        assert f'href="/review/c/{conv.id}"' in page.text  # alice's reading, still on page one
        assert "view transcript" in page.text
        assert f"<td>{ATTACKER}</td><td>220</td>" in page.text  # one summary line
        found = await alice.get(
            "/review/audit", params={"by": "alice", "action": "view_transcript"}
        )
        assert found.text.count("<td>view transcript</td>") == 1


async def test_the_audit_log_pages_back_to_its_first_entry_and_exports_everything(
    redis: Redis,
) -> None:
    store, clock = ConversationStore(redis), Clock(T0 + 3600)
    audit = AuditLog(redis, clock=clock)
    await audit.record("view_transcript", "carol", conversation="c1")  # the oldest entry
    for n in range(260):
        await audit.record("export", "bob", count=n)
    app = dashboard(store, clock)
    async with client_at(app, "203.0.113.7") as alice:
        assert (await sign_in(alice)).status_code == 303
        url, pages, seen = "/review/audit", 0, ""
        while url:
            page = await alice.get(url)
            pages, seen = pages + 1, seen + page.text
            older = page.text.split('class="older" href="', 1)
            url = older[1].split('"', 1)[0].replace("&amp;", "&") if len(older) > 1 else ""
            assert pages < 20
        assert pages >= 2
        assert 'href="/review/c/c1"' in seen  # nothing was pushed out of reach
        dated = await alice.get(
            "/review/audit", params={"by": "carol", "since": "2000-01-01", "until": "2100-01-01"}
        )
        assert 'href="/review/c/c1"' in dated.text
        export = await alice.get("/review/audit.csv")
        assert export.status_code == 200
        rows = list(csv.DictReader(io.StringIO(export.text)))
        stream = [r for r in rows if r["id"]]
        assert len(stream) == 1 + 260 + 2  # and alice's sign-in and this export
        assert stream[0]["by"] == "carol"

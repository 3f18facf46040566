"""Sign-in, sessions, CSRF, rate limits, headers, escaping and the audit of every view."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette

from handoff.review.accounts import Accounts, hash_password, parse_accounts
from handoff.review.app import build_review_app
from handoff.review.session import CookieCodec, Session, load_secret
from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from tests.review.conftest import PASSWORD, Clock, config, csrf_of, login, worker_app
from tests.review.seed import Script, seed

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_password_hashes_verify_and_accounts_parse() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    accounts = Accounts({"alice": hashed})
    assert accounts.verify("alice", "a long enough password")
    assert not accounts.verify("alice", "a long enough passwort")
    assert not accounts.verify("bob", "a long enough password")
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")
    both = f"alice:{hashed} ; bob:{hashed}"
    assert parse_accounts(both) == {"alice": hashed, "bob": hashed}
    assert parse_accounts(f'{{"carol": "{hashed}"}}') == {"carol": hashed}
    assert parse_accounts(None) == {}
    with pytest.raises(ValueError, match="argon2 hash"):
        parse_accounts("alice:plaintext")
    with pytest.raises(ValueError, match="letters, digits"):
        parse_accounts(f"al<ice:{hashed}")


def test_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_secret(None, tmp_path)
    assert load_secret(None, tmp_path) == first
    assert len(first) >= 48
    assert (tmp_path / "review-secret").stat().st_mode & 0o077 == 0
    assert load_secret("from-settings", tmp_path) == "from-settings"


def test_a_cookie_signed_with_another_secret_is_no_session() -> None:
    forged = CookieCodec("t" * 40, 3600).dumps(Session("alice", "x", sid="stolen"))
    assert CookieCodec("s" * 40, 3600).loads(forged) == {}
    assert CookieCodec("t" * 40, 3600).loads(forged) == {"s": "stolen"}
    assert Session.fresh("alice").csrf_ok(None) is False


async def test_pages_need_a_signed_in_supervisor(client: httpx.AsyncClient) -> None:
    for path in ("/review/", "/review/c/c1", "/review/metrics", "/review/export.csv"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/review/login"


async def test_login_sets_a_hardened_cookie_and_headers(client: httpx.AsyncClient) -> None:
    response = await login(client)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/"):
        assert attribute in cookie
    page = await client.get("/review/")
    assert page.status_code == 200
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in page.text


async def test_posts_without_the_session_csrf_token_are_refused(
    client: httpx.AsyncClient, store: ConversationStore
) -> None:
    assert (await login(client)).status_code == 303
    conv = await seed(store, Script(1, "Alex", "downtown", messages=[(0, "hi")]))
    target = f"/review/c/{conv.id}/wrong"
    form = {"index": "0", "intent": "ask_hours"}
    assert (await client.post(target, data=form)).status_code == 403
    assert (await client.post(target, data={**form, "csrf": "forged"})).status_code == 403
    assert (await client.post("/review/logout", data={})).status_code == 403
    login_form = await client.get("/review/login")
    other = httpx.AsyncClient(transport=client._transport, base_url="https://review.test")
    async with other:  # someone else's token does not fit this session
        stolen = csrf_of(login_form.text)
        refused = await other.post("/review/login", data={"csrf": stolen, "name": "alice",
                                                          "password": PASSWORD})  # fmt: skip
        assert refused.status_code == 403


async def test_failed_sign_ins_back_off_per_address_and_account(
    client: httpx.AsyncClient, app: Starlette, redis: Redis, clock: Clock
) -> None:
    for _ in range(5):
        assert (await login(client, password="wrong password")).status_code == 401
    blocked = await login(client)  # even the right password, for now, from this address
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    assert "Try again in 1 minute." in blocked.text
    assert [r.action for r in await AuditLog(redis).recent()] == []  # counted apart
    [counted] = await AuditLog(redis, clock=clock).failed_logins()
    assert (counted.ip, counted.count) == ("203.0.113.7", 6)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://review.test") as other:
        assert (await login(other)).status_code == 303  # elsewhere, the account is not locked
    clock.now += 61
    assert (await login(client, password="wrong again")).status_code == 401
    clock.now += 61  # the wait doubles: 2 minutes after the 6th attempt
    assert "Try again in 1 minute." in (await login(client)).text
    clock.now += 60
    assert (await login(client)).status_code == 303


async def test_customer_text_is_shown_as_text_and_each_view_audited(
    signed_in: httpx.AsyncClient, store: ConversationStore, redis: Redis
) -> None:
    conv = await seed(store, Script(1, EVIL, "downtown", messages=[(0, EVIL)]))
    page = await signed_in.get(f"/review/c/{conv.id}")
    assert page.status_code == 200
    assert EVIL not in page.text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;"
        in page.text
    )
    listing = await signed_in.get("/review/")
    assert "<script>" not in listing.text
    printed = await signed_in.get(f"/review/c/{conv.id}/print")
    assert printed.status_code == 200
    assert "<script>" not in printed.text
    records = await AuditLog(redis).recent()
    assert [(r.action, r.by, r.detail.get("conversation")) for r in records[:2]] == [
        ("print_transcript", "alice", conv.id),
        ("view_transcript", "alice", conv.id),
    ]


async def test_without_accounts_the_dashboard_says_how_to_enable_it(
    store: ConversationStore, clock: Clock
) -> None:
    app = worker_app(build_review_app(config(store, clock, Accounts({}))))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://review.test") as client:
        for path in ("/review/", "/review/login"):
            response = await client.get(path)
            assert response.status_code == 503
            assert "REVIEW_USERS" in response.text
            assert "tandem hash-password" in response.text
        assert (await client.post("/review/login", data={})).status_code == 503

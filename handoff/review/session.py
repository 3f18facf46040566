"""Session cookies (signed, itsdangerous) over server-side sessions, with a CSRF token each.

Before sign-in the cookie holds only a CSRF token for the sign-in form. After it, the
cookie holds only a session id; the session (who, its CSRF token, when) lives in Redis
(handoff/storage/records/review_sessions.py), so signing out, "sign out everywhere",
the idle timeout, the maximum lifetime and removing a supervisor from ``REVIEW_USERS``
end it at once. The cookie is Secure, HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

from handoff.storage.records.review_sessions import SessionStore

COOKIE = "tandem_review"


@dataclass(frozen=True)
class Session:
    user: str | None
    csrf: str
    sid: str | None = None  # the server-side session's id, once signed in

    @classmethod
    def fresh(cls, user: str | None = None) -> Session:
        return cls(user, secrets.token_urlsafe(32))

    def csrf_ok(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.csrf.encode())


class CookieCodec:
    """The cookie's signed payload: ``{"s": session id}`` or ``{"c": sign-in CSRF token}``."""

    def __init__(self, secret: str, max_age: int) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="tandem-review-session")
        self.max_age = max_age

    def loads(self, raw: str | None) -> dict[str, str]:
        if not raw:
            return {}
        try:
            data = self.serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if k in ("s", "c") and isinstance(v, str)}

    def dumps(self, session: Session) -> str:
        return self.serializer.dumps({"s": session.sid} if session.sid else {"c": session.csrf})


class Sessions:
    def __init__(self, secret: str, store: SessionStore, *, secure: bool = True) -> None:
        self.store = store
        self.codec = CookieCodec(secret, int(store.lifetime))
        self.secure = secure

    async def load(self, request: HTTPConnection) -> Session | None:
        data = self.codec.loads(request.cookies.get(COOKIE))
        if "s" in data:
            stored = await self.store.load(data["s"])
            return Session(stored.user, stored.csrf, stored.sid) if stored else None
        return Session(None, data["c"]) if "c" in data else None

    async def sign_in(self, user: str) -> Session:
        """A new session, with a new id and CSRF token (the sign-in form's are dropped)."""
        stored = await self.store.create(user, secrets.token_urlsafe(32))
        return Session(user, stored.csrf, stored.sid)

    async def sign_out(self, session: Session) -> None:
        if session.sid and session.user:
            await self.store.revoke(session.sid, session.user)

    async def sign_out_everywhere(self, user: str) -> int:
        return await self.store.revoke_user(user)

    def store_cookie(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self.codec.dumps(session),
            max_age=self.codec.max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")


def load_secret(configured: str | None, state_dir: Path) -> str:
    """``REVIEW_SECRET``, or one generated once and kept (mode 600) in the state folder."""
    if configured:
        return configured
    path = state_dir / "review-secret"
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret

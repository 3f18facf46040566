"""Signed session cookies (itsdangerous) with a CSRF token per session.

The cookie is Secure, HttpOnly and SameSite=Lax and holds only the supervisor's name
and the CSRF token; it expires after a working day.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "tandem_review"
MAX_AGE = 8 * 3600


@dataclass(frozen=True)
class Session:
    user: str | None
    csrf: str

    @classmethod
    def fresh(cls, user: str | None = None) -> Session:
        return cls(user, secrets.token_urlsafe(32))

    def csrf_ok(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.csrf.encode())


class Sessions:
    def __init__(self, secret: str, *, secure: bool = True, path: str = "/") -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="tandem-review-session")
        self.secure = secure
        self.path = path

    def load(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self.serializer.loads(raw, max_age=MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user = data.get("u")
        return Session(user if isinstance(user, str) else None, data["c"])

    def store(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self.serializer.dumps({"u": session.user, "c": session.csrf}),
            max_age=MAX_AGE,
            path=self.path,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(
            COOKIE, path=self.path, secure=self.secure, httponly=True, samesite="lax"
        )


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

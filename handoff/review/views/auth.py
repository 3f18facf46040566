"""Signing in and out: CSRF-checked forms, argon2 verification, rate-limited attempts."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from handoff.review.session import Session
from handoff.review.web import Site, base

log = logging.getLogger(__name__)


class AuthViews:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
        ]

    async def login_form(self, request: Request) -> Response:
        return self._form(request, self.site.sessions.load(request) or Session.fresh())

    def _form(
        self, request: Request, session: Session, *, problem: str = "", status: int = 200
    ) -> Response:
        shown = Session(None, session.csrf)
        response = self.site.render(
            request, "login.html", session=shown, problem=problem, status=status
        )
        self.site.sessions.store(response, shown)
        return response

    async def login(self, request: Request) -> Response:
        site = self.site
        session, form = await site.checked_form(request)
        name = str(form.get("name", ""))[:64]
        password = str(form.get("password", ""))[:256]
        ip = request.client.host if request.client else "unknown"
        wait = await site.limiter.wait(ip, name)
        if wait:
            minutes = -(-wait // 60)
            problem = (
                "Too many failed sign-ins from this address or for this account. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            )
            return self._form(request, session, problem=problem, status=429)
        ok = await asyncio.to_thread(site.config.accounts.verify, name, password)
        if not ok:
            await site.limiter.failed(ip, name)
            await site.audit.record("login_failed", name or "(empty)", ip=ip)
            return self._form(request, session, problem="Wrong name or password.", status=401)
        await site.limiter.succeeded(ip, name)
        await site.audit.record("login", name, ip=ip)
        response = RedirectResponse(f"{base(request)}/", status_code=303)
        site.sessions.store(response, Session.fresh(name))  # a new CSRF token for the new session
        return response

    async def logout(self, request: Request) -> Response:
        session, _ = await self.site.checked_form(request)
        if session.user:
            await self.site.audit.record("logout", session.user)
        response = RedirectResponse(f"{base(request)}/login", status_code=303)
        self.site.sessions.clear(response)
        return response

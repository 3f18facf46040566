"""Signing in and out: CSRF-checked forms, argon2 verification, attempts with back-off,
server-side sessions that sign-out ends (here, or everywhere)."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from handoff.review.session import Session
from handoff.review.web import Site, base, client_address

log = logging.getLogger(__name__)


class AuthViews:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/logout/everywhere", self.logout_everywhere, methods=["POST"]),
        ]

    async def login_form(self, request: Request) -> Response:
        return self._form(request, self.site.loaded(request) or Session.fresh())

    def _form(
        self, request: Request, session: Session, *, problem: str = "", status: int = 200
    ) -> Response:
        shown = Session(None, session.csrf)
        response = self.site.render(
            request, "login.html", session=shown, problem=problem, status=status
        )
        self.site.sessions.store_cookie(response, shown)
        return response

    async def login(self, request: Request) -> Response:
        site = self.site
        session, form = await site.checked_form(request)
        name = str(form.get("name", ""))[:64]
        password = str(form.get("password", ""))[:256]
        ip = client_address(request)
        wait = await site.limiter.attempt(ip, name)  # counted before the password is checked
        if wait:
            await site.audit.failed_login(ip)
            minutes = -(-wait // 60)
            problem = (
                "Too many failed sign-ins for this account from this address. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            )
            return self._form(request, Session(None, session.csrf), problem=problem, status=429)
        ok = await asyncio.to_thread(site.config.accounts.verify, name, password)
        if not ok:
            await site.audit.failed_login(ip)
            return self._form(request, session, problem="Wrong name or password.", status=401)
        await site.limiter.succeeded(ip, name)
        await site.audit.record("login", name, ip=ip)
        response = RedirectResponse(f"{base(request)}/", status_code=303)
        site.sessions.store_cookie(response, await site.sessions.sign_in(name))
        return response

    async def logout(self, request: Request) -> Response:
        session, _ = await self.site.checked_form(request)
        if session.user:
            await self.site.sessions.sign_out(session)
            await self.site.audit.record("logout", session.user)
        response = RedirectResponse(f"{base(request)}/login", status_code=303)
        self.site.sessions.clear(response)
        return response

    async def logout_everywhere(self, request: Request) -> Response:
        """Ends every session of this supervisor's, on every device (a lost laptop)."""
        session, _ = await self.site.checked_form(request)
        if session.user:
            count = await self.site.sessions.sign_out_everywhere(session.user)
            await self.site.audit.record("logout_everywhere", session.user, count=count)
        response = RedirectResponse(f"{base(request)}/login", status_code=303)
        self.site.sessions.clear(response)
        return response

"""What every review page shares: templates, sessions, CSRF, security headers, audit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff.core.refusals import describe as describe_refusal
from handoff.review import formatting
from handoff.review.accounts import Accounts
from handoff.review.query import ConversationQuery
from handoff.review.session import Session, Sessions
from handoff.review.training import TrainingList
from handoff.storage.keys import Keys
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.login_backoff import LoginBackoff
from handoff.storage.records.review_sessions import IDLE_SECONDS, LIFETIME_SECONDS, SessionStore
from handoff.storage.store import ConversationStore
from handoff.texts.bidi import visible
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory

HERE = Path(__file__).resolve().parent
STATE = "review_session"
log = logging.getLogger(__name__)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class ReviewConfig:
    store: ConversationStore
    stores: StoreDirectory
    employees: EmployeeDirectory
    accounts: Accounts
    secret: str
    intents: tuple[str, ...] = ()
    clock: Callable[[], float] = time.time
    secure_cookies: bool = True
    session_idle: float = IDLE_SECONDS  # REVIEW_SESSION_IDLE_MINUTES
    session_lifetime: float = LIFETIME_SECONDS  # REVIEW_SESSION_MAX_HOURS
    # Shown instead of the dashboard when there are no accounts.
    disabled: str = "Set REVIEW_USERS to enable the review dashboard (see `tandem hash-password`)."
    extra: dict[str, Any] = field(default_factory=dict)


class Site:
    def __init__(self, config: ReviewConfig) -> None:
        self.config = config
        self.store = config.store
        self.redis = config.store.redis
        self.keys = Keys(config.store.prefix)
        self.tz = config.stores.tz
        self.sessions = Sessions(
            config.secret,
            SessionStore(
                self.redis,
                self.keys,
                idle=config.session_idle,
                lifetime=config.session_lifetime,
                clock=config.clock,
            ),
            secure=config.secure_cookies,
        )
        self.audit = AuditLog(self.redis, prefix=config.store.prefix, clock=config.clock)
        self.limiter = LoginBackoff(self.redis, self.keys, clock=config.clock)
        self.query = ConversationQuery(self.redis, self.keys, self.tz)
        self.training = TrainingList(self.redis, self.keys)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every customer and employee word is text, never markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            duration=formatting.duration,
            percent=formatting.percent,
            number=formatting.number,
            moment=lambda ts: formatting.moment(ts, self.tz),
            person=self.person,
            pairs=lambda items: [(str(i), str(i).replace("_", " ")) for i in items],
            store_name=self.store_name,
            visible=visible,  # people's words: invisible format characters as marks
            refusal=describe_refusal,  # a refused send's reason, as people read it
        )

    def person(self, who: str | None) -> str:
        if not who:
            return formatting.DASH
        employee = self.config.employees.by_slack_id(who)
        if employee is not None:
            return employee.full_name
        if who.startswith("supervisor:"):
            return f"{who.removeprefix('supervisor:')} (supervisor)"
        return who

    def store_name(self, store_id: str | None) -> str:
        if store_id and store_id in self.config.stores:
            return self.config.stores.get(store_id).name
        return store_id or formatting.DASH

    def render(
        self,
        request: Request,
        template: str,
        *,
        session: Session | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        html = self.env.get_template(template).render(
            base=base(request),
            user=session.user if session else None,
            csrf=session.csrf if session else "",
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def loaded(self, request: Request) -> Session | None:
        """The request's session, as SessionLoader found it (signed in or not)."""
        session = request.scope.get("state", {}).get(STATE)
        return session if isinstance(session, Session) else None

    def signed_in(self, request: Request) -> Session | None:
        session = self.loaded(request)
        if session is None or session.user not in self.config.accounts.hashes:
            return None
        return session

    def to_login(self, request: Request) -> Response:
        return RedirectResponse(f"{base(request)}/login", status_code=303)

    async def checked_form(self, request: Request) -> tuple[Session, FormData]:
        """The posted form, only with the session's CSRF token (else 403)."""
        form = await request.form()
        session = self.loaded(request)
        if session is None or not session.csrf_ok(form.get("csrf")):
            raise HTTPException(403, "The form expired or did not come from this site.")
        return session, form


class SessionLoader:
    """Finds each request's session in Redis once, before the page runs; a session of a
    supervisor no longer in ``REVIEW_USERS`` is revoked, with all their others."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            site = self.site
            session = await site.sessions.load(Request(scope))
            user = session.user if session is not None else None
            if user is not None and user not in site.config.accounts.hashes:
                revoked = await site.sessions.sign_out_everywhere(user)
                log.info("review sessions revoked", extra={"count": revoked})
                session = None
            scope.setdefault("state", {})[STATE] = session
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The client's address as the server saw it (a proxy's header only from a trusted
    proxy: ``FORWARDED_ALLOW_IPS``, bot/serve.py)."""
    return request.client.host if request.client else "unknown"


def base(request: Request) -> str:
    """Where the dashboard is mounted (``/review`` in the worker)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


class SecurityHeaders:
    """CSP without inline scripts, no framing, and nothing cached: every page shows
    customers' words."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).endswith(".css")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"max-age=3600" if static else b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)

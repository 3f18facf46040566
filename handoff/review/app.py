"""The supervisors' review dashboard: a Starlette app the worker mounts under ``/review``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from handoff.review.views.auth import AuthViews
from handoff.review.views.conversation import ConversationViews
from handoff.review.views.listing import ListViews
from handoff.review.views.reports import ReportViews
from handoff.review.web import HERE, ReviewConfig, SecurityHeaders, SessionLoader, Site

STYLES = ("review.css", "print.css")
HEADINGS = {
    400: "That did not work",
    403: "Refused",
    404: "Not found",
    405: "Not allowed",
}


def build_review_app(config: ReviewConfig) -> Starlette:
    site = Site(config)
    routes: list[BaseRoute] = [_stylesheet(name) for name in STYLES]
    if config.accounts:
        for views in (AuthViews(site), ListViews(site), ConversationViews(site), ReportViews(site)):
            routes += views.routes()
    else:
        routes.append(Route("/{path:path}", _disabled(site), methods=["GET", "POST"]))

    async def error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return site.render(
            request,
            "error.html",
            session=site.signed_in(request),
            status=exc.status_code,
            heading=HEADINGS.get(exc.status_code, "Not available"),
            message=exc.detail,
        )

    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(SessionLoader, site=site)],
        exception_handlers={HTTPException: error},
    )


def _stylesheet(name: str) -> Route:
    css = (HERE / "static" / name).read_text()

    async def serve(request: Request) -> Response:
        return Response(css, media_type="text/css")

    return Route(f"/static/{name}", serve, methods=["GET"])


def _disabled(site: Site) -> Callable[[Request], Awaitable[Response]]:
    async def disabled(request: Request) -> Response:
        return site.render(
            request,
            "error.html",
            session=None,
            status=503,
            heading="The review dashboard is disabled",
            message=site.config.disabled,
        )

    return disabled

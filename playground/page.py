"""The playground page: one HTML page showing the fake Telegram and the fake Slack side by side.

The page is static (plain HTML, CSS and JavaScript under ``static/``); it talks only to the
fakes' ``/_fake/`` JSON APIs, which ``playground.app`` mounts under ``/telegram`` and ``/slack``.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
INDEX = STATIC_DIR / "index.html"

# The page loads nothing from elsewhere and never needs inline script or style.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


async def index(request: Request) -> FileResponse:
    return FileResponse(
        INDEX,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def page_routes(settings: dict[str, str] | None = None) -> list[BaseRoute]:
    """GET / serves the page; /static/... serves its CSS and JavaScript; /playground.json
    what the page shows as the business does (its name, its timezone for every time)."""
    shown = dict(settings or {})

    async def page_settings(request: Request) -> JSONResponse:
        return JSONResponse(shown, headers={"Cache-Control": "no-cache"})

    return [
        Route("/", index, methods=["GET"], name="playground"),
        Route("/playground.json", page_settings, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]

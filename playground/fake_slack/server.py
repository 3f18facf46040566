"""A local fake of Slack for tests and the playground, driven by the REAL bolt / slack_sdk.

`FakeSlack.app` is a Starlette app serving the Web API (/api/{method}), file upload and
download URLs, the Socket Mode WebSocket (/socket), response_urls and a JSON control API
(/_fake/...); every URL it hands out is relative to wherever it is mounted. Its employee
methods (fake_slack_employees) post, edit, upload, click and run slash commands, and the
resulting events reach the Tandem app over Socket Mode or signed HTTP, like Slack's own.
"""

from __future__ import annotations

import copy

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from playground.fake_slack.api import ApiCall, Faults, WebApi, mount_base_url
from playground.fake_slack.control import control_routes
from playground.fake_slack.delivery import Delivery, HttpDeliverer, RetryClock
from playground.fake_slack.dispatch import Dispatcher
from playground.fake_slack.edits import edit_routes
from playground.fake_slack.employees import EmployeeActions
from playground.fake_slack.files import Files
from playground.fake_slack.methods import Methods
from playground.fake_slack.respond import ResponseUrls
from playground.fake_slack.socket import SocketHub
from playground.fake_slack.state import (
    JSON,
    Channel,
    FakeSlackError,
    Identity,
    StoredFile,
    Workspace,
)

__all__ = ["Delivery", "FakeSlack", "FakeSlackError", "RetryClock", "StoredFile"]


class _LearnBaseUrl:
    """Remember the URL (with mount prefix) the fake is reached at, for URLs it hands out."""

    def __init__(self, app: ASGIApp, fake: FakeSlack) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.fake.learn_base_url:
            self.fake.base_url = mount_base_url(HTTPConnection(scope))
        await self.app(scope, receive, send)


class FakeSlack(EmployeeActions):
    def __init__(
        self,
        *,
        bot_token: str,
        app_token: str | None = None,
        signing_secret: str,
        team_id: str = "T0TANDEM",
        bot_user_id: str = "U0TANDEMBOT",
        channels: dict[str, str] | None = None,
        users: list[JSON] | None = None,
        team_domain: str = "tandem",
        bot_id: str = "B0TANDEMBOT",
        app_id: str = "A0TANDEMAPP",
        base_url: str | None = None,
        delivery_timeout: float = 3.0,
        retry_clock: RetryClock | None = None,
        echo_bot_messages: bool = True,
    ) -> None:
        identity = Identity(team_id, team_domain, bot_user_id, bot_id, app_id, "fake-verif-token")
        self.workspace = Workspace(identity)
        for user in users or []:
            self.workspace.add_user(user)
        for channel_id, name in (channels or {}).items():
            self.workspace.add_channel(channel_id, name)
        # where the fake is reachable (with any mount prefix), for the URLs it hands out;
        # unless given here, learned from every request reaching it
        self.base_url = base_url.rstrip("/") if base_url else None
        self.learn_base_url = base_url is None
        self.calls: list[tuple[str, JSON]] = []
        self.faults = Faults()
        # Slack's retry schedule for events (1 min, 5 min), on a clock the tests control
        self.retry_clock = retry_clock or RetryClock()
        self._http = HttpDeliverer(signing_secret, timeout=delivery_timeout, clock=self.retry_clock)
        self._socket = SocketHub(
            app_id,
            ack_timeout=delivery_timeout,
            max_retries=self.retry_clock.retries,
            on_change=self.workspace.notify,
        )
        self._dispatch = Dispatcher(
            identity,
            self._http,
            self._socket,
            on_change=self.workspace.notify,
            echo_bot_messages=echo_bot_messages,
        )
        self._methods = Methods(self.workspace, self._dispatch.echo)
        self._files = Files(self._methods, bot_token)
        self._responses = ResponseUrls(self._methods)
        handlers = {
            **self._methods.handlers(),
            **self._files.handlers(),
            "apps.connections.open": self._open_connection,
        }
        self._api = WebApi(
            handlers, self.faults, bot_token=bot_token, app_token=app_token, on_call=self._record
        )
        self.app = Starlette(
            routes=self._routes(), middleware=[Middleware(_LearnBaseUrl, fake=self)]
        )

    def _routes(self) -> list[Route | WebSocketRoute]:
        files = self._files
        return [
            Route("/api/{method}", self._api.endpoint, methods=["GET", "POST"]),
            Route("/upload/{file_id}", files.upload_endpoint, methods=["POST"]),
            Route("/files/{file_id}/{filename}", files.download_endpoint, methods=["GET"]),
            Route("/files/{file_id}/download/{filename}", files.download_endpoint, methods=["GET"]),
            WebSocketRoute("/socket", self._socket.endpoint),
            Route("/_fake/respond/{token}", self._responses.endpoint, methods=["POST"]),
            *control_routes(self),
            *edit_routes(self),  # /_fake/edit, /_fake/delete (edits.py)
        ]

    # -- configuration ---------------------------------------------------------------------

    @property
    def signing_secret(self) -> str:
        return self._http.signing_secret

    @signing_secret.setter
    def signing_secret(self, value: str) -> None:
        self._http.signing_secret = value

    def set_scopes(self, scopes: list[str]) -> None:
        """The bot token's scopes, as the x-oauth-scopes header reports them."""
        self._api.scopes = list(scopes)

    def set_request_url(self, url: str | None) -> None:
        """The app's /slack/events endpoint; used whenever no Socket Mode app is connected."""
        self._dispatch.request_url = url

    @property
    def request_url(self) -> str | None:
        return self._dispatch.request_url

    @property
    def deliveries(self) -> list[Delivery]:
        return self._dispatch.deliveries

    @property
    def socket_connected(self) -> bool:
        return self._socket.connected

    async def wait_for_socket(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - public API
        """Socket Mode clients return from connect before the fake has registered them."""
        await self.workspace.wait_for(
            lambda: True if self._socket.connected else None,
            timeout,
            lambda: f"no Socket Mode connection within {timeout}s",
        )

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        image_72: str | None = None,
        tz: str = "UTC",
    ) -> JSON:
        profile = {"display_name": display_name or name, "real_name": real_name or name}
        if image_72:
            profile["image_72"] = image_72
        user = {"id": user_id, "name": name, "real_name": real_name or name, "tz": tz}
        return copy.deepcopy(self.workspace.add_user({**user, "profile": profile}))

    def add_channel(self, channel_id: str, name: str, *, bot_member: bool = True) -> JSON:
        channel = self.workspace.add_channel(channel_id, name, bot_member=bot_member)
        return channel.info(self.identity.bot_user_id)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int = 1,
        after: bool = False,
    ) -> None:
        """Make the next `count` calls of `method` ("*" = any) fail with 429 or 500; with
        `after`, each is carried out first (Slack posted, and its answer was lost)."""
        self.faults.add(method, status=status, count=count, retry_after=retry_after, after=after)

    def fail_for(
        self, method: str, *, status: int = 429, seconds: float, retry_after: int = 1
    ) -> None:
        """Every call of `method` ("*" = any) fails with 429 or 500 for the next `seconds`."""
        self.faults.add_window(method, status=status, seconds=seconds, retry_after=retry_after)

    def set_retry_time_scale(self, scale: float) -> None:
        """How fast Slack's retry schedule runs for HTTP event deliveries: 1.0 is real time
        (retries at once, after 1 and after 5 minutes); 0.1 makes those 6 s and 30 s."""
        self.retry_clock.scale = scale

    # -- inspection ------------------------------------------------------------------------

    def channel(self, ref: str) -> Channel:
        return self.workspace.channel(ref)

    def messages(self, channel: str, *, top_level: bool = False) -> list[JSON]:
        """Every message in the channel (replies included unless top_level), oldest first."""
        found = self.workspace.channel(channel)
        chosen = self.workspace.top_level(found) if top_level else found.messages
        return copy.deepcopy(chosen)

    def thread(self, channel: str, thread_ts: str) -> list[JSON]:
        return copy.deepcopy(self.workspace.thread(self.workspace.channel(channel), thread_ts))

    def ephemerals(self, user: str | None = None) -> list[JSON]:
        return copy.deepcopy(
            [e for e in self.workspace.ephemerals if user is None or e.get("recipient") == user]
        )

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.workspace.files

    @property
    def response_url_posts(self) -> list[JSON]:
        return self._responses.posts

    # -- lifecycle -------------------------------------------------------------------------

    async def drain(self) -> None:
        """Wait for background deliveries (echoes of the bot's own messages) to finish."""
        await self._dispatch.drain()

    async def aclose(self) -> None:
        await self._dispatch.aclose()
        await self._http.aclose()

    # -- internals -------------------------------------------------------------------------

    def _record(self, method: str, params: JSON, base_url: str) -> None:
        self.calls.append((method, copy.deepcopy(params)))

    async def _open_connection(self, call: ApiCall) -> JSON:
        return {"url": self._socket.issue_url(call.base_url)}

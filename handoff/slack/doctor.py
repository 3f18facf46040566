"""``tandem doctor``'s Slack checks: the token, its scopes against slack-manifest.yml, and the
bot's membership of the handoff channel and of each store's channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import aiohttp
import yaml
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handoff.errors import HandoffConfigError, SlackUnavailable
from handoff.slack.app import build_web_client, check_token
from nlu.project import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "slack-manifest.yml"

Check = Callable[[], Awaitable[str]]


class Doubt(Exception):
    """Not broken, but worth a look: printed as WARN, does not fail the doctor."""


def slack_checks(token: str, api_url: str, channels: Mapping[str, str]) -> list[tuple[str, Check]]:
    """The token, its scopes, then the bot's membership of each channel (id -> its label)."""
    client = build_web_client(token, api_url)
    checks: list[tuple[str, Check]] = [
        ("slack", lambda: check_token_accepted(client)),
        ("slack scopes", lambda: check_scopes(client)),
    ]
    for channel, label in channels.items():
        checks.append((f"slack {label} {channel}", _member(client, channel)))
    return checks


def _member(client: AsyncWebClient, channel: str) -> Check:
    return lambda: check_member(client, channel)


async def check_token_accepted(client: AsyncWebClient) -> str:
    identity = await check_token(client)
    return f"token accepted ({identity.get('user', '?')} in {identity.get('team', '?')})"


def manifest_scopes(path: Path = MANIFEST) -> set[str]:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return set(manifest["oauth_config"]["scopes"]["bot"])


async def check_scopes(client: AsyncWebClient, manifest: Path = MANIFEST) -> str:
    """Slack names the token's scopes in the x-oauth-scopes header of auth.test's answer."""
    try:
        response = await client.auth_test()
    except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise HandoffConfigError(f"auth.test failed ({exc})") from exc
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    header = headers.get("x-oauth-scopes")
    if header is None:
        raise Doubt("Slack sent no x-oauth-scopes header; the scopes could not be compared")
    granted = {s.strip() for s in str(header).split(",") if s.strip()}
    wanted = manifest_scopes(manifest)
    if missing := wanted - granted:
        raise HandoffConfigError(
            f"missing {', '.join(sorted(missing))}: update the app from slack-manifest.yml "
            "and reinstall it"
        )
    if extra := granted - wanted:
        raise Doubt(f"also granted {', '.join(sorted(extra))}, which Tandem does not use")
    return f"the token has the manifest's {len(wanted)} scopes"


async def check_member(client: AsyncWebClient, channel: str) -> str:
    """conversations.history needs only the *:history scopes the manifest already asks for
    (conversations.info would need channels:read and groups:read too), and answers
    not_in_channel when the bot is not a member."""
    try:
        await client.conversations_history(channel=channel, limit=1)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "not_in_channel":
            raise HandoffConfigError(
                "the bot is not a member: /invite @Tandem in the channel"
            ) from exc
        raise HandoffConfigError(f"Slack answered {error}") from exc
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise SlackUnavailable(f"cannot reach Slack ({exc})") from exc
    return "the bot is a member"

"""``tandem doctor``: checks each part Tandem needs and prints one verdict per line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.errors import TandemError
from bot.settings import Settings
from bot.telegram_app import build_application_for_check
from handoff.slack_app import build_web_client, check_token
from handoff.store import ConversationStore
from nlu.facts import validate_all
from nlu.rasa_client import RasaClient
from nlu.rasa_model import MODELS_DIR, fingerprint

Check = Callable[[], Awaitable[str]]


async def doctor(settings: Settings) -> int:
    checks: list[tuple[str, Check]] = [("data files", lambda: _data(settings))]
    if settings.redis_url:
        checks.append(("redis", lambda: _redis(settings.redis_url or "")))
    checks.append(("rasa", lambda: _rasa(settings)))
    if not settings.playground:
        checks.append(("telegram", lambda: _telegram(settings)))
        checks.append(("slack", lambda: _slack(settings)))
    failed = 0
    for name, check in checks:
        try:
            verdict = f"ok    {name}: {await check()}"
        except TandemError as exc:
            failed += 1
            verdict = f"FAIL  {name}: {exc}"
        print(verdict)
    if settings.playground:
        print("info  telegram/slack: no tokens set; `tandem run` starts the local playground")
    return 1 if failed else 0


async def _data(settings: Settings) -> str:
    problems = validate_all(settings.data_dir, now=datetime.now(UTC))
    if problems:
        raise TandemError("; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))
    return f"{settings.data_dir} is valid and every answer is current"


async def _redis(url: str) -> str:
    redis = Redis.from_url(url)
    try:
        await ConversationStore(redis).check()
    finally:
        await redis.aclose()
    return "answers PING"


async def _rasa(settings: Settings) -> str:
    if settings.rasa_url is None:
        model = MODELS_DIR / f"nlu-{fingerprint()}.tar.gz"
        if model.exists():
            return f"RASA_URL unset; the current model {model.name} is trained"
        return "RASA_URL unset; the model will be trained on the next `tandem run`"
    client = RasaClient(str(settings.rasa_url))
    try:
        await client.check()
    finally:
        await client.aclose()
    return f"{settings.rasa_url} has a model loaded"


async def _telegram(settings: Settings) -> str:
    assert settings.telegram_bot_token is not None
    name = await build_application_for_check(
        settings.telegram_bot_token.get_secret_value(), str(settings.telegram_api_base_url)
    )
    return f"token accepted (@{name})"


async def _slack(settings: Settings) -> str:
    assert settings.slack_bot_token is not None
    client = build_web_client(
        settings.slack_bot_token.get_secret_value(), str(settings.slack_api_url)
    )
    identity = await check_token(client)
    return f"token accepted ({identity.get('user', '?')} in {identity.get('team', '?')})"

"""``tandem doctor``: checks each part Tandem needs and prints one verdict per line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.errors import REPORTED, CheckFailed
from bot.settings import Settings, webhook_port_problem
from bot.telegram.app import build_application_for_check, webhook_info
from handoff.queues.lanes import Lanes
from handoff.slack.doctor import Doubt, slack_checks
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.store import ConversationStore
from nlu.facts.answers import AnswerBook, validate_all
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import RasaClient
from nlu.rasa.model import MODELS_DIR, fingerprint

Check = Callable[[], Awaitable[str]]


async def doctor(settings: Settings) -> int:
    checks: list[tuple[str, Check]] = [("data files", lambda: _data(settings))]
    if settings.redis_url:
        checks.append(("redis", lambda: _redis(settings.redis_url or "")))
        checks.append(("queues", lambda: _queues(settings.redis_url or "")))
    checks.append(("rasa", lambda: _rasa(settings)))
    if not settings.playground:
        checks.append(("telegram", lambda: _telegram(settings)))
        if settings.telegram_webhook_url is not None:
            checks.append(("telegram webhook", lambda: _webhook(settings)))
        checks.extend(_slack_checks(settings))
    failed = 0
    for name, check in checks:
        try:
            verdict = f"ok    {name}: {await check()}"
        except REPORTED as exc:
            failed += 1
            verdict = f"FAIL  {name}: {exc}"
        except Doubt as exc:
            verdict = f"WARN  {name}: {exc}"
        except Exception as exc:  # the doctor reports, it never ends in a traceback
            failed += 1
            verdict = f"FAIL  {name}: {type(exc).__name__}: {exc}"
        print(verdict)
    if not settings.redis_url:
        print("info  redis: REDIS_URL unset; `tandem run` starts an embedded Valkey with AOF on")
    if settings.playground:
        print("info  telegram/slack: no tokens set; `tandem run` starts the local playground")
    return 1 if failed else 0


def _slack_checks(settings: Settings) -> list[tuple[str, Check]]:
    """The token, its scopes, and the bot's channels (handoff/slack/doctor.py)."""
    assert settings.slack_bot_token is not None
    token, api_url = settings.slack_bot_token.get_secret_value(), str(settings.slack_api_url)
    channels = {settings.slack_handoff_channel or "": "handoff channel"}
    try:
        stores = list(StoreDirectory.load(settings.data_dir / "stores.yml"))
    except Exception:  # reported by the data files check
        stores = []
    for store in stores:
        if store.slack_channel:
            channels.setdefault(store.slack_channel, f"{store.id} channel")
    return slack_checks(token, api_url, channels)


async def _data(settings: Settings) -> str:
    problems = validate_all(settings.data_dir)
    if problems:
        raise CheckFailed(_some(problems))
    # A stale answer is safe (customers who ask get a person) but needs a manager's look.
    stores = StoreDirectory.load(settings.data_dir / "stores.yml")
    stale = AnswerBook.from_dir(settings.data_dir, stores).stale(datetime.now(UTC))
    if stale:
        raise Doubt(f"valid, but not current (customers asking go to a person): {_some(stale)}")
    return f"{settings.data_dir} is valid and every answer is current"


def _some(problems: list[str]) -> str:
    return "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")


async def _redis(url: str) -> str:
    redis = connect_redis(url)
    try:
        await ConversationStore(redis).check()
        aof = (await redis.config_get("appendonly")).get("appendonly")
    except REPORTED:
        raise
    except Exception as exc:  # e.g. a managed Redis that refuses CONFIG
        raise Doubt(f"answers PING; AOF not readable ({type(exc).__name__})") from exc
    finally:
        await redis.aclose()
    if aof not in ("yes", b"yes"):
        raise Doubt("answers PING, but AOF is off: a restart loses recent state (appendonly yes)")
    return "answers PING; AOF is on"


async def _queues(url: str) -> str:
    """What waits in the inbox and outbox, and what was given up on (the dead letters)."""
    redis = connect_redis(url)
    try:
        found = []
        dead = 0
        for name, label in (("in", "inbox"), ("out", "outbox")):
            lanes = Lanes(redis, name=name)
            found.append(f"{label} {await lanes.depth()} waiting")
            dead += int(await redis.xlen(lanes.key("dead")))
    finally:
        await redis.aclose()
    if dead:
        raise Doubt(f"{', '.join(found)}; {dead} given up (see the dead-letter streams)")
    return ", ".join(found) + "; none given up"


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


async def _webhook(settings: Settings) -> str:
    """The webhook URL's port is one Telegram posts to, and what Telegram last reported."""
    assert settings.telegram_bot_token is not None
    assert settings.telegram_webhook_url is not None
    url = str(settings.telegram_webhook_url)
    problem = webhook_port_problem(url)
    if problem is not None:
        raise CheckFailed(problem)
    info = await webhook_info(
        settings.telegram_bot_token.get_secret_value(), str(settings.telegram_api_base_url)
    )
    if info.url and info.url != url:
        raise Doubt(f"Telegram posts to {info.url}; `tandem run` sets {url} when it starts")
    if info.last_error_message:
        raise Doubt(f"port allowed; Telegram's last delivery failed: {info.last_error_message}")
    return f"port {settings.telegram_webhook_url.port} is allowed; no delivery error reported"

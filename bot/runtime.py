"""``tandem run``: Redis, Rasa, the playground when no tokens are set, and the worker."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from contextlib import AsyncExitStack

from bot.endpoints import Endpoints
from bot.serve import serve_app
from bot.settings import Settings
from bot.worker import Worker
from handoff.review.commands import remember_embedded_redis
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.connection.run_id import RUN_ID_ENV, check_run
from nlu.rasa.local import start_local_rasa
from playground.app import Playground


async def run(settings: Settings) -> None:
    async with AsyncExitStack() as stack:
        run_id = os.environ.get(RUN_ID_ENV) or None
        redis_url = settings.redis_url or await _embedded_redis(stack, settings, run_id)
        if run_id and settings.redis_url:
            # Started by a test or a benchmark for its own Redis: not another run's.
            await check_run(redis_url, run_id)
        rasa_url = (
            str(settings.rasa_url)
            if settings.rasa_url
            else (await start_local_rasa(stack, settings.state_dir))
        )
        playground: Playground | None = None
        if settings.playground:
            playground = Playground.for_business(settings.data_dir)
            stack.push_async_callback(playground.telegram.aclose)
            stack.push_async_callback(playground.slack.aclose)
            url = await stack.enter_async_context(
                serve_app(
                    playground.app(),
                    settings.http_host,
                    settings.playground_port,
                    ws="websockets-sansio",  # FakeSlack's Socket Mode endpoint
                )
            )
            endpoints = Endpoints(
                **playground.endpoints(url, redis_url=redis_url, rasa_url=rasa_url)
            )
        else:
            endpoints = _real_endpoints(settings, redis_url, rasa_url)
        worker = Worker(settings, endpoints)
        await worker.start()
        stack.push_async_callback(worker.stop)
        # What start-up built lives as long as the process: kept out of the collector's
        # full passes, which otherwise walk it all (under `make bench`, 64 ms each; frozen, 4).
        gc.freeze()
        if playground is not None:
            playground.slack.set_request_url(f"{worker.http_url}/slack/events")
            print(
                f"Tandem playground: open {url} in your browser (Ctrl-C stops everything)",
                file=sys.stderr,
                flush=True,
            )
        else:
            print("Tandem is running (Ctrl-C stops it)", file=sys.stderr, flush=True)
        review = f"Supervisor review: {worker.http_url}/review"
        if worker.review_login is not None:
            review += " (sign in as {} / {})".format(*worker.review_login)
        print(review, file=sys.stderr, flush=True)
        await _until_stopped()


async def _embedded_redis(stack: AsyncExitStack, settings: Settings, run_id: str | None) -> str:
    redis = EmbeddedRedis(settings.state_dir / "valkey", run_id=run_id)
    url = await redis.start()
    stack.push_async_callback(redis.stop)
    # `tandem erase` finds this running server instead of starting a second one on its files.
    stack.enter_context(remember_embedded_redis(settings.state_dir, url))
    return url


def _real_endpoints(settings: Settings, redis_url: str, rasa_url: str) -> Endpoints:
    assert settings.telegram_bot_token is not None
    assert settings.slack_bot_token is not None
    assert settings.slack_handoff_channel is not None
    app_token = settings.slack_app_token
    secret = settings.slack_signing_secret
    return Endpoints(
        redis_url=redis_url,
        rasa_url=rasa_url,
        telegram_token=settings.telegram_bot_token.get_secret_value(),
        telegram_api=str(settings.telegram_api_base_url),
        slack_token=settings.slack_bot_token.get_secret_value(),
        slack_api=str(settings.slack_api_url),
        slack_channel=settings.slack_handoff_channel,
        slack_signing_secret=secret.get_secret_value() if secret else None,
        slack_app_token=app_token.get_secret_value() if app_token else None,
        telegram_webhook_url=str(webhook) if (webhook := settings.telegram_webhook_url) else None,
        telegram_webhook_secret=(
            hook_secret.get_secret_value()
            if (hook_secret := settings.telegram_webhook_secret)
            else None
        ),
    )


async def _until_stopped() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

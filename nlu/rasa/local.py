"""Starts (or reuses) the local Rasa server when ``RASA_URL`` is not set."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp

from nlu.rasa.env import ensure_rasa_env
from nlu.rasa.model import ensure_model
from nlu.rasa.server import RasaServer

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare_model() -> tuple[Path, Path]:
    """The Rasa environment and the trained model, each made only when missing."""
    rasa = await asyncio.to_thread(ensure_rasa_env)
    model = await asyncio.to_thread(ensure_model, rasa)
    return rasa, model


async def start_local_rasa(stack: AsyncExitStack, state_dir: Path) -> str:
    """A Rasa server for the current model: one already running for it, or a new one."""
    rasa, model = await prepare_model()
    marker = state_dir / "rasa.json"
    running = await _running_server(marker, model)
    if running:
        log.info("reusing the running rasa server", extra={"url": running})
        return running
    server = RasaServer(rasa, model, port=free_port(), log_path=state_dir / "logs" / "rasa.log")
    await server.start()
    stack.push_async_callback(server.stop)
    marker.write_text(json.dumps({"url": server.url, "model": model.name, "pid": os.getpid()}))
    stack.callback(marker.unlink, missing_ok=True)
    return server.url


async def _running_server(marker: Path, model: Path) -> str | None:
    try:
        info = json.loads(await asyncio.to_thread(marker.read_text))
        timeout = aiohttp.ClientTimeout(total=2.0)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(f"{info['url']}/status") as response,
        ):
            status = await response.json()
    except (OSError, ValueError, KeyError, aiohttp.ClientError, TimeoutError):
        return None
    if Path(str(status.get("model_file", ""))).name != model.name:
        return None
    return str(info["url"])

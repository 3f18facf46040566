"""A run's own Redis: a worker given a run id joins only the Redis of that run.

Whoever starts the embedded Valkey (``tandem run`` without REDIS_URL, the tests, the
benchmarks) writes a new run id into it at start-up and gives it to the workers it starts
(``TANDEM_RUN_ID``). A worker left from an earlier run (its starter killed before it could
stop it) that finds another run's id there refuses to start, rather than take that run's
jobs. Production names its Redis in REDIS_URL and gives no run id: nothing is checked, and
any number of workers share it.
"""

from __future__ import annotations

import uuid

from redis.exceptions import RedisError

from handoff.errors import RedisUnavailable
from handoff.storage.connection.redis_url import connect_redis, key_prefix
from handoff.storage.keys import Keys

RUN_ID_ENV = "TANDEM_RUN_ID"


def new_run_id() -> str:
    return uuid.uuid4().hex


async def mark_run(url: str, run_id: str) -> None:
    """Write the run id of the server's starter (at each start of the server)."""
    redis = connect_redis(url)
    try:
        await redis.set(Keys(key_prefix(redis)).run, run_id)
    except (RedisError, OSError) as exc:
        raise RedisUnavailable(f"cannot write the run id into {url}: {exc}") from exc
    finally:
        await redis.aclose()


async def check_run(url: str, run_id: str) -> None:
    """Refuse a Redis that belongs to another run (or to none) than ``run_id``."""
    redis = connect_redis(url)
    try:
        found = await redis.get(Keys(key_prefix(redis)).run)
    except (RedisError, OSError) as exc:
        raise RedisUnavailable(f"REDIS_URL: Redis does not answer ({exc})") from exc
    finally:
        await redis.aclose()
    owner = found.decode() if isinstance(found, bytes) else found
    if owner != run_id:
        whose = f"run {owner}" if owner else "no run (no run id in it)"
        raise RedisUnavailable(
            f"REDIS_URL belongs to {whose}, and this worker was started for run {run_id} "
            f"({RUN_ID_ENV}): a worker left from an earlier run? It does not join."
        )

"""Structured logs: one JSON object per line, with the ``extra`` fields a call passes.

Message bodies and secrets are never passed as fields at info level; callers log
ids, kinds and counts.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": iso_time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def iso_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds, as ``2026-12-07T19:26:31.042Z``."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDKs log request bodies at DEBUG; keep them quiet unless asked.
    for noisy in ("httpx", "httpcore", "telegram", "slack_bolt", "slack_sdk", "uvicorn"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

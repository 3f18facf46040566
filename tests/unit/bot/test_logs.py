"""JSON log lines: the time is ISO 8601, UTC, with milliseconds."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.logs import JsonFormatter


def test_time_is_iso_8601_utc_with_milliseconds() -> None:
    record = logging.LogRecord("tandem", logging.INFO, __file__, 1, "started", (), None)
    # 2026-12-07 19:26:31.042 UTC, whatever the machine's time zone.
    record.created = datetime(2026, 12, 7, 19, 26, 31, 42_000, tzinfo=UTC).timestamp()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["time"] == "2026-12-07T19:26:31.042Z"
    assert datetime.fromisoformat(entry["time"]).timestamp() == record.created


def test_extra_fields_stay_beside_the_time() -> None:
    record = logging.LogRecord("tandem", logging.INFO, __file__, 1, "sent %s", ("x",), None)
    record.chat_id = "c1"
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["msg"], entry["chat_id"], entry["level"]) == ("sent x", "c1", "info")
    assert entry["time"].endswith("Z")
    assert len(entry["time"]) == len("2026-12-07T19:26:31.042Z")

"""What an operator sees of a full customer → handoff → reply flow: INFO logs with no
message bodies and no secrets, and the worker's /metrics and /readyz."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import JsonFormatter, setup_logging
from playground.app import SLACK_APP_TOKEN, SLACK_BOT_TOKEN, TELEGRAM_TOKEN, Playground
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, hand_off, is_intro, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CUSTOMER_TEXT = "My parcel 7731 never came and I am furious, get me a real person"
EMPLOYEE_TEXT = "So sorry Alex, I have refund ref QX-4471 ready for you"


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The logging `tandem run` sets up (bot/logs.py), with pytest's capture added back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    setup_logging("INFO")
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.INFO)
    yield caplog
    root.handlers[:], root.level = saved
    for name, level in noisy.items():
        logging.getLogger(name).setLevel(level)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_handoff_flow_logs_no_bodies_or_secrets_and_is_counted(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    production_logging: pytest.LogCaptureFixture,
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 911
    card, _ = await hand_off(pg, chat, text=CUSTOMER_TEXT)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, EMPLOYEE_TEXT, thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "QX-4471" in text_of(m))

    records = [r for r in production_logging.records if r.levelno >= logging.INFO]
    assert records, "the flow logged nothing at INFO: the capture is broken"
    formatter = JsonFormatter()
    secrets = [TELEGRAM_TOKEN, SLACK_BOT_TOKEN, SLACK_APP_TOKEN, pg.signing_secret]
    for record in records:
        line = formatter.format(record)
        for secret in [CUSTOMER_TEXT, EMPLOYEE_TEXT, "7731", "QX-4471", *secrets]:
            assert secret not in line, f"{secret!r} logged by {record.name}: {line}"

    async with httpx.AsyncClient(base_url=worker.http_url) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("tandem_messages_in_total", (("source", "telegram"),))] >= 3
    assert samples[("tandem_messages_in_total", (("source", "slack_event_callback"),))] >= 1
    assert samples[("tandem_messages_in_total", (("source", "slack_block_actions"),))] == 1
    assert (
        samples[("tandem_messages_out_total", (("channel", "telegram"), ("method", "sendMessage")))]
        >= 2
    )
    assert (
        samples[
            ("tandem_messages_out_total", (("channel", "slack"), ("method", "chat_postMessage")))
        ]
        >= 2
    )
    handoffs = [
        value
        for (name, labels), value in samples.items()
        if name == "tandem_triage_decisions_total" and ("route", "handoff") in labels
    ]
    assert sum(handoffs) == 1
    assert samples[("tandem_time_to_human_seconds_count", ())] == 1
    assert ("tandem_pending_timers", ()) in samples


async def test_readyz_reports_redis_telegram_rasa_and_slack(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    worker = await start_worker()
    async with httpx.AsyncClient(base_url=worker.http_url) as http:
        ready = await http.get("/readyz")
        health = await http.get("/healthz")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"redis": "ok", "telegram": "ok", "rasa": "ok", "slack": "ok"}


async def test_two_workers_in_one_process_keep_their_own_counts(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    first, second = await start_worker(), await start_worker()
    first.metrics.received("telegram")
    assert first.metrics.registry is not second.metrics.registry
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{second.http_url}/metrics")).text
    assert ("tandem_messages_in_total", (("source", "telegram"),)) not in _samples(text)

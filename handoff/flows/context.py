"""What the conversation flows need: the adapters, the business data and the policy knobs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from handoff.metrics import Metrics
from handoff.queues.outbox import CustomerOutbox, DeskOutbox
from handoff.storage.store import ConversationStore
from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import Nlu
from nlu.triage.policy import Thresholds
from nlu.triage.responder import Responder


@dataclass
class Context:
    store: ConversationStore
    nlu: Nlu
    customers: CustomerOutbox  # the outbox's queued sends (bot/telegram/outbox.py)
    desk: DeskOutbox  # (handoff/slack/outbox.py)
    stores: StoreDirectory
    answers: AnswerBook
    employees: EmployeeDirectory
    default_channel: str
    thresholds: Thresholds = field(default_factory=Thresholds)
    offer_timeout: float = 120.0
    clock: Callable[[], float] = time.time
    rate_limit_per_minute: int = 20  # per customer, before the bot stops triaging (flood.py)
    metrics: Metrics = field(default_factory=Metrics)  # this worker's registry (handoff/metrics.py)

    responder: Responder = field(init=False)

    def __post_init__(self) -> None:
        spoken = {language for e in self.employees for language in e.languages}
        self.responder = Responder(self.stores, self.answers, self.thresholds, spoken)

    def now(self) -> float:
        return self.clock()

    def now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def channel_for(self, store_id: str | None) -> str:
        """The store's own Slack channel, or the default handoff channel."""
        if store_id is not None:
            channel = self.stores.get(store_id).slack_channel
            if channel:
                return channel
        return self.default_channel

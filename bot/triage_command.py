"""``tandem triage``: what the bot would do with a message, or with a file of cases.

A case may set the situation its message arrives in: the customer's home store, the
moment (``now``, or ``--now`` for all), earlier turns of the conversation (``history``,
replayed first a minute apart through the same topic logic as the worker, so "and
tomorrow?" has its context) and Telegram's ``language``.
"""

from __future__ import annotations

import json
import zlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.settings import Settings
from nlu.errors import BadCasesFile
from nlu.evaluation.scoring import Case, Outcome, load_cases, summarise
from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import RasaClient
from nlu.rasa.local import start_local_rasa
from nlu.triage.policy import Thresholds
from nlu.triage.responder import Reply, Responder
from nlu.triage.topic import Topic

TURN_GAP = timedelta(minutes=1)  # between replayed turns: well within a follow-up's window


class Triage:
    """The worker's policy, data and thresholds, applied to one text at a time."""

    def __init__(self, settings: Settings, rasa: RasaClient) -> None:
        self.rasa = rasa
        stores = StoreDirectory.load(settings.data_dir / "stores.yml")
        self.stores = stores
        self.responder = Responder(
            stores,
            AnswerBook.from_dir(settings.data_dir, stores),
            Thresholds(
                settings.triage_min_confidence,
                settings.triage_min_margin,
                settings.triage_negative_sentiment,
            ),
            # The languages the team speaks: a message in one of them is detected.
            {
                lang
                for e in EmployeeDirectory.load(settings.data_dir / "employees.yml", stores)
                for lang in e.languages
            },
        )

    async def run(
        self,
        text: str,
        *,
        store: str | None = None,
        name: str | None = None,
        now: datetime | None = None,
        topic: Topic | None = None,
        language: str | None = None,
    ) -> Reply:
        nlu = await self.rasa.parse(text)
        return self.responder.respond(
            nlu,
            home_store=store,
            first_name=name,
            now=now or datetime.now(UTC),
            seed=zlib.crc32(text.encode()),
            topic=topic,
            language_code=language,
        )

    async def conversation(
        self,
        text: str,
        history: tuple[str, ...] = (),
        *,
        store: str | None = None,
        name: str | None = None,
        now: datetime | None = None,
        language: str | None = None,
    ) -> Reply:
        """The reply to ``text`` after the customer's earlier turns, each a minute apart."""
        end = now or datetime.now(UTC)
        topic: Topic | None = None
        for back, turn in zip(range(len(history), 0, -1), history, strict=True):
            at = end - back * TURN_GAP
            earlier = await self.run(
                turn, store=store, name=name, now=at, topic=topic, language=language
            )
            topic = earlier.topic
        return await self.run(text, store=store, name=name, now=end, topic=topic, language=language)

    def check_store(self, store: str | None, where: str) -> None:
        if store is not None and store not in self.stores:
            known = ", ".join(self.stores.ids())
            raise BadCasesFile(f"{where}: unknown store {store!r} (one of: {known})")


def route_of(reply: Reply) -> str:
    return "smalltalk" if reply.decision.reason == "smalltalk" else reply.decision.route


def outcome_of(case: Case, reply: Reply) -> Outcome:
    return Outcome(case, route_of(reply), reply.decision.intent, reply.decision.reason)


async def triage_command(
    settings: Settings,
    text: str | None,
    cases_file: str | None,
    store: str | None,
    name: str | None,
    now: datetime | None = None,
) -> int:
    cases = load_cases(Path(cases_file)) if cases_file else []
    async with AsyncExitStack() as stack:
        url = (
            str(settings.rasa_url)
            if settings.rasa_url
            else await start_local_rasa(stack, settings.state_dir)
        )
        rasa = RasaClient(url)
        stack.push_async_callback(rasa.aclose)
        await rasa.check()
        triage = Triage(settings, rasa)
        triage.check_store(store, "--store")
        for i, case in enumerate(cases):
            triage.check_store(case.store, f"{cases_file}: cases.{i}.store")
        if text is not None:
            reply = await triage.run(text, store=store, name=name, now=now)
            print(json.dumps(reply.decision.as_json(reply.answer), ensure_ascii=False))
            return 0
        outcomes = []
        for case in cases:
            reply = await triage.conversation(
                case.text,
                case.history,
                store=case.store or store,
                name=name,
                now=case.now or now,
                language=case.language,
            )
            outcomes.append(outcome_of(case, reply))
            line = {
                "text": case.text,
                "expected": case.route,
                **reply.decision.as_json(reply.answer),
            }
            line["route"] = route_of(reply)
            print(json.dumps(line, ensure_ascii=False), flush=True)
        print(json.dumps({"summary": summarise(outcomes)}, ensure_ascii=False))
    return 0

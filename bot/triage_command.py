"""``tandem triage``: what the bot would do with a message, or with a file of cases."""

from __future__ import annotations

import json
import zlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from nlu.evaluation.scoring import Case, Outcome, load_cases, summarise
from nlu.facts.answers import AnswerBook
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import RasaClient
from nlu.rasa.local import start_local_rasa
from nlu.triage.policy import Thresholds
from nlu.triage.responder import Reply, Responder


class Triage:
    """The worker's policy, data and thresholds, applied to one text at a time."""

    def __init__(self, settings: Settings, rasa: RasaClient) -> None:
        self.rasa = rasa
        stores = StoreDirectory.load(settings.data_dir / "stores.yml")
        self.responder = Responder(
            stores,
            AnswerBook.from_dir(settings.data_dir, stores),
            Thresholds(
                settings.triage_min_confidence,
                settings.triage_min_margin,
                settings.triage_negative_sentiment,
            ),
        )

    async def run(
        self,
        text: str,
        *,
        store: str | None = None,
        name: str | None = None,
        now: datetime | None = None,
    ) -> Reply:
        nlu = await self.rasa.parse(text)
        return self.responder.respond(
            nlu,
            home_store=store,
            first_name=name,
            now=now or datetime.now(UTC),
            seed=zlib.crc32(text.encode()),
        )


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
        if text is not None:
            reply = await triage.run(text, store=store, name=name)
            print(json.dumps(reply.decision.as_json(reply.answer), ensure_ascii=False))
            return 0
        outcomes = []
        for case in cases:
            reply = await triage.run(case.text, store=store, name=name)
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

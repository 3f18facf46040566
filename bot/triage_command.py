"""``tandem triage``: what the bot would do with a message, or with a file of cases."""

from __future__ import annotations

import json
import zlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from nlu.evaluation import Outcome, load_cases, summarise
from nlu.facts import Answer, AnswerBook
from nlu.local_rasa import start_local_rasa
from nlu.rasa_client import RasaClient
from nlu.smalltalk import smalltalk_reply
from nlu.stores import StoreDirectory
from nlu.triage import Decision, Thresholds, decide


class Triage:
    """The same policy the worker applies, with the worker's data and thresholds."""

    def __init__(self, settings: Settings, rasa: RasaClient) -> None:
        self.rasa = rasa
        self.stores = StoreDirectory.load(settings.data_dir / "stores.yml")
        self.answers = AnswerBook.from_dir(settings.data_dir, self.stores)
        self.thresholds = Thresholds(
            settings.triage_min_confidence,
            settings.triage_min_margin,
            settings.triage_negative_sentiment,
        )

    async def run(
        self, text: str, *, store: str | None, name: str | None
    ) -> tuple[Decision, str | None]:
        nlu = await self.rasa.parse(text)
        named = nlu.entity("store")
        store_id = (self.stores.normalize(named) if named else None) or (
            self.stores.find_in_text(text) or store
        )
        now = datetime.now(UTC)

        def lookup(intent: str) -> str | None:
            result = self.answers.answer(
                intent, store_id=store_id, first_name=name, now=now, seed=zlib.crc32(text.encode())
            )
            return result.text if isinstance(result, Answer) else None

        decision, answer = decide(nlu, self.thresholds, lookup)
        if decision.reason == "smalltalk" and decision.intent:
            answer = smalltalk_reply(
                decision.intent, first_name=name, business=self.stores.business_name
            )
        return decision, answer


async def triage_command(
    settings: Settings,
    text: str | None,
    cases_file: str | None,
    store: str | None,
    name: str | None,
) -> int:
    async with AsyncExitStack() as stack:
        url = (
            str(settings.rasa_url)
            if settings.rasa_url
            else (await start_local_rasa(stack, settings.state_dir))
        )
        rasa = RasaClient(url)
        stack.push_async_callback(rasa.aclose)
        await rasa.check()
        triage = Triage(settings, rasa)
        if text is not None:
            decision, answer = await triage.run(text, store=store, name=name)
            print(json.dumps(decision.as_json(answer), ensure_ascii=False))
            return 0
        assert cases_file is not None
        outcomes = []
        for case in load_cases(Path(cases_file)):
            decision, answer = await triage.run(case.text, store=store, name=name)
            route = "smalltalk" if decision.reason == "smalltalk" else decision.route
            outcomes.append(Outcome(case, route, decision.intent))
            line = {"text": case.text, "expected": case.route, **decision.as_json(answer)}
            line["route"] = route
            print(json.dumps(line, ensure_ascii=False))
        print(json.dumps({"summary": summarise(outcomes)}, ensure_ascii=False))
    return 0

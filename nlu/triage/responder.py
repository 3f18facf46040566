"""From an NLU result to what the bot does: triage plus the stored answer. Pure.

The worker and ``tandem triage`` both use this, so the command shows exactly what
customers would get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nlu.facts.answer_models import Notice
from nlu.facts.answers import Answer, AnswerBook
from nlu.facts.stores import StoreDirectory
from nlu.rasa.result import NluResult
from nlu.triage.policy import Decision, Thresholds, decide, handoff
from nlu.triage.smalltalk import smalltalk_reply, store_chosen_reply


@dataclass(frozen=True)
class Reply:
    decision: Decision
    answer: str | None  # the text to send when the decision is to answer
    store_id: str | None


class Responder:
    def __init__(self, stores: StoreDirectory, answers: AnswerBook, thresholds: Thresholds):
        self.stores = stores
        self.answers = answers
        self.thresholds = thresholds

    def store_for(self, text: str, nlu: NluResult | None, home: str | None) -> str | None:
        """The store the message names, else the customer's home store."""
        named = nlu.entity("store") if nlu else None
        store_id = self.stores.normalize(named) if named else None
        return store_id or self.stores.find_in_text(text) or home

    def respond(
        self,
        nlu: NluResult,
        *,
        home_store: str | None,
        first_name: str | None,
        now: datetime,
        seed: int,
        extra_notices: Sequence[Notice] = (),
    ) -> Reply:
        store_id = self.store_for(nlu.text, nlu, home_store)

        def lookup(intent: str) -> str | None:
            result = self.answers.answer(
                intent,
                store_id=store_id,
                first_name=first_name,
                now=now,
                seed=seed,
                extra_notices=extra_notices,
            )
            return result.text if isinstance(result, Answer) else None

        decision, answer = decide(nlu, self.thresholds, lookup)
        if decision.reason == "smalltalk" and decision.intent:
            answer = smalltalk_reply(
                decision.intent, first_name=first_name, business=self.stores.business_name
            )
        if decision.reason == "store_choice":
            named = self.store_for(nlu.text, nlu, None)
            if named is None:  # "inform_store" without a store we know: a person sorts it out
                return Reply(handoff("complex", nlu, "names no store we know"), None, store_id)
            return Reply(decision, store_chosen_reply(self.stores.get(named).name), named)
        return Reply(decision, answer, store_id)

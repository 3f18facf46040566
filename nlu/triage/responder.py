"""From an NLU result to what the bot does: triage plus the stored answer. Pure.

The worker and ``tandem triage`` both use this, so the command shows exactly what
customers would get.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from nlu.facts.answer_models import Notice
from nlu.facts.answers import Answer, AnswerBook
from nlu.facts.day_hours import HOURS_INTENT
from nlu.facts.days import DayAsked, parse_day, without_days
from nlu.facts.intents import FACTUAL_INTENTS
from nlu.facts.stores import StoreDirectory
from nlu.rasa.result import NluResult
from nlu.triage.language import LanguageGuesser
from nlu.triage.policy import Decision, Thresholds, decide, handoff
from nlu.triage.smalltalk import smalltalk_reply, store_chosen_reply
from nlu.triage.topic import (
    Topic,
    follow_up_intent,
    is_elliptical,
    new_topic,
    without_lead,
)


@dataclass(frozen=True)
class Reply:
    decision: Decision
    answer: str | None  # the text to send when the decision is to answer
    store_id: str | None
    topic: Topic | None = None  # the conversation's topic after this message (topic.py)
    language: str | None = None  # the message's language when not English (language.py)


class Responder:
    def __init__(
        self,
        stores: StoreDirectory,
        answers: AnswerBook,
        thresholds: Thresholds,
        languages: Iterable[str] = (),
    ):
        """``languages``: those the team speaks (data/employees.yml), detected in messages."""
        self.stores = stores
        self.answers = answers
        self.thresholds = thresholds
        self.languages = LanguageGuesser(languages)

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
        topic: Topic | None = None,
        language_code: str | None = None,
    ) -> Reply:
        """``topic``: the conversation's so far (its store, day, whether we greeted);
        ``language_code``: Telegram's for the customer, a hint for the message's language."""
        detected = self.languages.detect(nlu.text, language_code)
        language = None if detected.english else detected.code
        today = self.stores.local(now).date()
        prior = topic if topic is not None and topic.fresh(now) else None
        asked = parse_day(nlu.text, today, after=prior.day if prior else None)
        # The store named, else the one this conversation is about, else the home store.
        named = self.store_for(nlu.text, nlu, None)
        store_id = named or (topic and topic.store_id) or home_store
        greet = topic is None or not topic.greeted
        leans = prior is not None and is_elliptical(nlu.text)  # "and ...?" after a question
        follow = (
            follow_up_intent(nlu.text, prior, self._leftover(nlu.text), names_store=bool(named))
            if leans
            else None
        )
        if follow is not None and prior is not None and asked is None and prior.day is not None:
            asked = DayAsked((prior.day,))  # "what about Riverside?": the same day

        def lookup(intent: str) -> str | None:
            result = self.answers.answer(
                intent,
                store_id=store_id,
                first_name=first_name,
                now=now,
                seed=seed,
                extra_notices=extra_notices,
                day=asked,
                greet=greet,
            )
            return result.text if isinstance(result, Answer) else None

        if (
            language is None
            and follow is not None
            and nlu.sentiment > self.thresholds.negative_sentiment
        ):
            # "and tomorrow?": the previous question again, for the new day or store.
            answer = lookup(follow)
            decision = Decision(
                "answer",
                "answer",
                intent=follow,
                confidence=nlu.confidence,
                sentiment=nlu.sentiment,
                detail=f"a follow-up of the previous question ({follow})",
                nlu=nlu.summary(),
            )
            if answer is None:
                decision = handoff("stale_answer", nlu, "no current answer for this store")
        else:  # "and parking there?" is judged as "parking there?": one question, not two
            judged = replace(nlu, text=without_lead(nlu.text)) if leans else nlu
            decision, answer = decide(judged, self.thresholds, lookup, language)
        past = asked is not None and asked.day < today
        if past and decision.route == "answer" and decision.intent == HOURS_INTENT:
            # "were you open on dec 1 2025?": not a question about opening hours to come
            decision, answer = handoff("complex", nlu, "asks about a day gone by"), None
        reply = self._reply(nlu, decision, answer, store_id, first_name, seed)
        if reply.decision.route == "handoff":  # routed by the store named, else the home one
            reply = replace(reply, store_id=named or home_store)
        about = reply.store_id if reply.decision.route == "answer" else named
        topic = self._next_topic(topic, reply, about, asked, now)
        return replace(reply, topic=topic, language=language)

    def _leftover(self, text: str) -> str:
        """What a message says besides days and store names ("and tomorrow?" -> "and")."""
        return self.stores.without_stores(without_days(text))

    @staticmethod
    def _next_topic(
        topic: Topic | None,
        reply: Reply,
        store_id: str | None,
        asked: DayAsked | None,
        now: datetime,
    ) -> Topic:
        answered = reply.decision.route == "answer" and reply.answer is not None
        factual = answered and reply.decision.intent in FACTUAL_INTENTS
        return (topic or new_topic(now)).after(
            intent=reply.decision.intent if factual else None,
            store_id=store_id,
            day=asked.day if asked is not None else None,
            now=now,
            greeted=answered,
        )

    def _reply(
        self,
        nlu: NluResult,
        decision: Decision,
        answer: str | None,
        store_id: str | None,
        first_name: str | None,
        seed: int = 0,
    ) -> Reply:
        if decision.reason == "smalltalk" and decision.intent:
            answer = smalltalk_reply(
                decision.intent,
                first_name=first_name,
                business=self.stores.business_name,
                seed=seed,
            )
        if decision.reason == "store_choice":
            named = self.store_for(nlu.text, nlu, None)
            if named is None:  # "inform_store" without a store we know: a person sorts it out
                return Reply(handoff("complex", nlu, "names no store we know"), None, store_id)
            return Reply(decision, store_chosen_reply(self.stores.get(named).name), named)
        return Reply(decision, answer, store_id)

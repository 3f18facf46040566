"""The responder in a conversation: the day asked, greeting once, follow-ups
(nlu.triage.responder with nlu.triage.topic), from the shipped data."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu.facts.answers import AnswerBook
from nlu.facts.stores import StoreDirectory
from nlu.rasa.result import IntentScore, NluResult
from nlu.triage.policy import Thresholds
from nlu.triage.responder import Reply, Responder
from nlu.triage.topic import Topic

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
NOW = datetime(2026, 11, 21, 10, tzinfo=DET)  # a Saturday, five weeks before Christmas


@pytest.fixture(scope="module")
def responder() -> Responder:
    stores = StoreDirectory.load(DATA / "stores.yml")
    return Responder(stores, AnswerBook.from_dir(DATA, stores), Thresholds())


def nlu(text: str, intent: str | None, confidence: float = 0.95) -> NluResult:
    ranking = (IntentScore(intent, confidence),) if intent else ()
    return NluResult(text, intent, confidence, ranking)


class Chat:
    """One conversation: each message goes through the responder with the topic so far."""

    def __init__(self, responder: Responder, *, home: str | None = None) -> None:
        self.responder = responder
        self.home = home
        self.topic: Topic | None = None
        self.now = NOW

    def say(self, text: str, intent: str | None, confidence: float = 0.95) -> Reply:
        reply = self.responder.respond(
            nlu(text, intent, confidence),
            home_store=self.home,
            first_name="Alex",
            now=self.now,
            seed=len(text),
            topic=self.topic,
        )
        self.topic = reply.topic
        self.now += timedelta(minutes=1)
        return reply


def test_christmas_weeks_ahead_then_the_day_after(responder: Responder) -> None:
    chat = Chat(responder)
    first = chat.say("Is Riverside open on Christmas Day?", "ask_hours")
    assert first.answer is not None
    assert first.answer.startswith(
        "Hi Alex, on Friday, December 25 (Christmas Day) Riverside is closed."
    )
    after = chat.say("and the day after?", "ask_hours", 0.4)  # unsure NLU: the topic decides
    assert after.decision.route == "answer"
    assert after.answer == "On Saturday, December 26 Riverside is open 7 am–8 pm."
    other = chat.say("what about Downtown?", "inform_store", 0.7)
    assert other.answer == "On Saturday, December 26 Downtown is open 8 am–6 pm."


def test_greeted_once_then_straight_to_the_point(responder: Responder) -> None:
    chat = Chat(responder, home="northgate")
    answers = [
        chat.say(text, intent).answer or ""
        for text, intent in [
            ("what are your hours", "ask_hours"),
            ("where is the store", "ask_location"),
            ("do you deliver", "ask_delivery"),
        ]
    ]
    assert answers[0].startswith("Hi Alex,")
    assert not any("Alex" in a for a in answers[1:])
    assert all(a[:1].isupper() for a in answers)


def test_a_question_without_a_day_leads_with_today_then_the_week(responder: Responder) -> None:
    reply = Chat(responder, home="downtown").say("what are your hours", "ask_hours")
    assert reply.answer is not None
    today = reply.answer.index("Today (Saturday, November 21) Downtown is open 8 am–6 pm.")
    assert today < reply.answer.index("Every week: Mon–Fri 7 am–7 pm, Sat 8 am–6 pm, Sun closed.")


def test_parking_there_uses_the_store_asked_about(responder: Responder) -> None:
    chat = Chat(responder, home="northgate")
    chat.say("is riverside open tomorrow?", "ask_hours")
    parking = chat.say("and parking there?", "ask_parking")
    assert parking.store_id == "riverside"
    assert parking.answer is not None
    assert "60-space lot" in parking.answer


def test_a_follow_up_too_late_is_read_on_its_own(responder: Responder) -> None:
    chat = Chat(responder)
    chat.say("is riverside open tomorrow?", "ask_hours")
    chat.now += timedelta(minutes=15)
    late = chat.say("and the day after?", "out_of_scope", 0.5)
    assert late.decision.route == "handoff"


def test_a_handoff_is_routed_by_the_named_store_and_remembers_it(responder: Responder) -> None:
    chat = Chat(responder, home="downtown")
    chat.say("is riverside open tomorrow?", "ask_hours")
    complaint = chat.say("my order never came", "order_problem")
    assert complaint.decision.route == "handoff"
    assert complaint.store_id == "downtown"  # named none: the home store, as before
    assert chat.topic is not None
    assert chat.topic.store_id == "riverside"


def test_no_store_known_one_line_per_store_for_the_day(responder: Responder) -> None:
    reply = Chat(responder).say("are you open on sunday?", "ask_hours")
    assert reply.answer is not None
    assert "• Downtown: closed" in reply.answer
    assert "• Riverside: open 9 am–5 pm" in reply.answer
    assert "• Northgate: open 9 am–6 pm" in reply.answer


def test_a_day_gone_by_goes_to_a_person(responder: Responder) -> None:
    reply = Chat(responder, home="riverside").say("were you open on nov 1 2026?", "ask_hours")
    assert reply.decision.route == "handoff"
    assert reply.decision.detail == "asks about a day gone by"


def test_now_without_a_store_is_a_line_per_store(responder: Responder) -> None:
    reply = Chat(responder).say("are you open right now?", "ask_hours")
    assert reply.answer is not None
    assert "• Riverside is open now, until 8 pm today." in reply.answer
    assert "• Downtown is open now, until 6 pm today." in reply.answer


def test_a_new_subject_after_and_is_one_question_about_the_same_store(
    responder: Responder,
) -> None:
    chat = Chat(responder, home="northgate")
    chat.say("is riverside open tomorrow?", "ask_hours")
    where = chat.say("and the location?", "ask_location", 0.7)
    assert where.decision.intent == "ask_location"
    assert where.answer is not None
    assert "2250 W Jefferson Ave" in where.answer

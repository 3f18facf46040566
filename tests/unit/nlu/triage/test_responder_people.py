"""The Responder (nlu.triage.responder) on the shipped data: the message's language, an
acknowledgement and a complaint worded as a question, as the worker gets them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.project import PROJECT_ROOT
from nlu.rasa.result import IntentScore, NluResult
from nlu.triage.policy import Thresholds
from nlu.triage.responder import Reply, Responder

DATA = PROJECT_ROOT / "data"
NOW = datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("America/Detroit"))


@pytest.fixture(scope="module")
def responder() -> Responder:
    stores = StoreDirectory.load(DATA / "stores.yml")
    team = EmployeeDirectory.load(DATA / "employees.yml", stores)
    spoken = {language for e in team for language in e.languages}
    return Responder(stores, AnswerBook.from_dir(DATA, stores), Thresholds(), spoken)


def respond(
    responder: Responder, text: str, intent: str, confidence: float, telegram: str | None = None
) -> Reply:
    nlu = NluResult(
        text=text,
        intent=intent,
        confidence=confidence,
        ranking=(IntentScore(intent, confidence), IntentScore("out_of_scope", 0.02)),
        entities=(),
        sentiment=0.0,
        sentiment_label="neutral",
    )
    return responder.respond(
        nlu, home_store="downtown", first_name="Ana", now=NOW, seed=7, language_code=telegram
    )


def test_a_spanish_question_goes_to_a_person_with_its_language(responder: Responder) -> None:
    # Rasa, trained on English, may still be sure of an intent for it.
    reply = respond(responder, "¿a qué hora abren mañana?", "ask_hours", 0.9)
    assert (reply.decision.route, reply.decision.reason, reply.answer) == (
        "handoff",
        "language",
        None,
    )
    assert reply.language == "es"
    assert reply.store_id == "downtown"


def test_english_from_a_spanish_telegram_is_answered(responder: Responder) -> None:
    reply = respond(responder, "what time do you open tomorrow?", "ask_hours", 0.95, "es")
    assert reply.decision.route == "answer"
    assert reply.answer is not None
    assert reply.language is None


def test_ok_after_an_answer_gets_a_short_reply(responder: Responder) -> None:
    reply = respond(responder, "ok", "thanks", 0.49, "es")  # how the model reads it
    assert (reply.decision.route, reply.decision.reason) == ("answer", "smalltalk")
    assert reply.answer is not None
    assert len(reply.answer) < 60
    assert reply.language is None


def test_a_complaint_is_never_answered_with_the_stock_fact(responder: Responder) -> None:
    reply = respond(responder, "why were my loyalty points reset?", "ask_loyalty", 0.96)
    assert (reply.decision.route, reply.answer) == ("handoff", None)
    assert "points" in reply.decision.detail


def test_without_the_team_languages_nothing_else_is_detected() -> None:
    stores = StoreDirectory.load(DATA / "stores.yml")
    english_only = Responder(stores, AnswerBook.from_dir(DATA, stores), Thresholds())
    reply = respond(english_only, "¿a qué hora abren mañana?", "out_of_scope", 0.4)
    assert reply.language is None
    assert reply.decision.route == "handoff"  # not understood: a person all the same


@pytest.mark.parametrize(
    ("text", "telegram"),
    [("¡muchas gracias!", "es"), ("merci beaucoup", "fr"), ("谢谢！", None), ("شكرا", None)],
)
def test_thanks_in_another_language_gets_a_thumbs_up(
    responder: Responder, text: str, telegram: str | None
) -> None:
    reply = respond(responder, text, "thanks", 0.5, telegram)
    assert (reply.decision.route, reply.decision.reason, reply.answer) == (
        "answer",
        "smalltalk",
        "👍",
    )


def test_more_than_thanks_in_another_language_goes_to_a_person(responder: Responder) -> None:
    reply = respond(responder, "gracias, pero mi pedido no llegó", "thanks", 0.6, "es")
    assert (reply.decision.route, reply.decision.reason) == ("handoff", "language")

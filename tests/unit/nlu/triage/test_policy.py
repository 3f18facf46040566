"""The triage policy, without any server: when in doubt, hand off."""

from __future__ import annotations

import pytest

from nlu.facts.intents import FACTUAL_INTENTS
from nlu.rasa.result import Entity, IntentScore, NluResult
from nlu.triage.policy import Thresholds, asks_more_than_one, classify, decide

T = Thresholds(min_confidence=0.6, min_margin=0.15, negative_sentiment=-0.3)


def nlu(
    text: str = "what are your hours?",
    intent: str = "ask_hours",
    confidence: float = 0.93,
    runner_up: tuple[str, float] = ("ask_location", 0.03),
    sentiment: float = 0.0,
    label: str = "neutral",
) -> NluResult:
    return NluResult(
        text=text,
        intent=intent,
        confidence=confidence,
        ranking=(IntentScore(intent, confidence), IntentScore(*runner_up)),
        entities=(Entity("store", "riverside"),),
        sentiment=sentiment,
        sentiment_label=label,
    )


def test_a_clear_factual_question_is_answered() -> None:
    decision = classify(nlu(), T)
    assert (decision.route, decision.reason, decision.intent) == ("answer", "answer", "ask_hours")
    assert decision.nlu["entities"] == {"store": "riverside"}


@pytest.mark.parametrize("sentiment", [-0.31, -0.9])
def test_negative_sentiment_goes_to_a_person_even_for_a_factual_intent(sentiment: float) -> None:
    decision = classify(nlu(sentiment=sentiment), T)
    assert (decision.route, decision.reason) == ("handoff", "emotional")


def test_negative_label_alone_is_enough() -> None:
    assert classify(nlu(sentiment=-0.1, label="negative"), T).reason == "emotional"


def test_sensitive_wins_over_emotional() -> None:
    decision = classify(nlu(intent="sensitive", sentiment=-0.8), T)
    assert decision.reason == "sensitive"


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        ("human_request", "human_request"),
        ("complaint", "emotional"),
        ("order_problem", "complex"),
        ("refund_request", "complex"),
        ("damaged_item", "complex"),
        ("billing_issue", "complex"),
        ("out_of_scope", "complex"),
        ("some_new_intent", "complex"),
    ],
)
def test_intents_that_need_a_person(intent: str, reason: str) -> None:
    decision = classify(nlu(text="help", intent=intent), T)
    assert (decision.route, decision.reason) == ("handoff", reason)


def test_low_confidence_hands_off() -> None:
    decision = classify(nlu(confidence=0.55, runner_up=("ask_location", 0.1)), T)
    assert (decision.route, decision.reason) == ("handoff", "low_confidence")
    assert "confidence 0.55" in decision.detail


def test_a_close_runner_up_hands_off() -> None:
    decision = classify(nlu(confidence=0.7, runner_up=("ask_location", 0.6)), T)
    assert decision.reason == "low_confidence"
    assert "margin" in decision.detail


def test_thresholds_come_from_settings() -> None:
    strict = Thresholds(min_confidence=0.95, min_margin=0.15, negative_sentiment=-0.3)
    assert classify(nlu(confidence=0.93), strict).reason == "low_confidence"


@pytest.mark.parametrize(
    "text",
    [
        "what are your hours? and where do I park?",
        "When do you open tomorrow? Do you deliver to Ferndale?",
        "what time do you close\nwhere is the store",
    ],
)
def test_two_questions_go_to_a_person(text: str) -> None:
    assert asks_more_than_one(nlu(text=text))
    assert classify(nlu(text=text), T).reason == "complex"


def test_a_question_that_also_complains_goes_to_a_person() -> None:
    result = nlu(
        text="what are your hours, the last visit was awful", runner_up=("complaint", 0.25)
    )
    assert classify(result, T).reason == "complex"


def test_two_factual_intents_joined_by_and_go_to_a_person() -> None:
    result = nlu(
        text="hours and parking at riverside", confidence=0.7, runner_up=("ask_parking", 0.22)
    )
    assert classify(result, T).route == "handoff"


def test_one_question_with_a_greeting_is_still_one_question() -> None:
    assert not asks_more_than_one(nlu(text="Hi! What time do you open on Sunday?"))


def test_smalltalk_is_answered_as_smalltalk() -> None:
    decision = classify(nlu(text="hi there", intent="greet", runner_up=("thanks", 0.01)), T)
    assert (decision.route, decision.reason) == ("answer", "smalltalk")


def test_an_upset_greeting_is_not_smalltalk() -> None:
    result = nlu(text="hello?? anyone??", intent="greet", sentiment=-0.5)
    assert classify(result, T).route == "handoff"


def test_decide_requires_a_current_stored_answer() -> None:
    decision, answer = decide(nlu(), T, lambda intent: None)
    assert (decision.route, decision.reason, answer) == ("handoff", "stale_answer", None)
    decision, answer = decide(nlu(), T, lambda intent: f"the {intent} answer")
    assert (decision.route, answer) == ("answer", "the ask_hours answer")


def test_decide_never_looks_up_an_answer_for_a_handoff() -> None:
    def lookup(intent: str) -> str:
        raise AssertionError("no answer needed")

    decision, answer = decide(nlu(sentiment=-0.7), T, lookup)
    assert decision.route == "handoff"
    assert answer is None


def test_the_thirteen_factual_intents() -> None:
    assert len(FACTUAL_INTENTS) == 13


def test_rasa_payload_is_parsed_including_sentiment() -> None:
    payload = {
        "text": "hrs at riverside sat?",
        "intent": {"name": "ask_hours", "confidence": 0.97},
        "intent_ranking": [
            {"name": "ask_hours", "confidence": 0.97},
            {"name": "ask_location", "confidence": 0.01},
        ],
        "entities": [{"entity": "store", "value": "riverside"}, {"entity": "day", "value": "sat"}],
        "sentiment": {"compound": -0.12, "label": "neutral"},
    }
    result = NluResult.from_rasa(payload)
    assert result.intent == "ask_hours"
    assert result.margin == pytest.approx(0.96)
    assert result.entity("day") == "sat"
    assert result.sentiment == pytest.approx(-0.12)


@pytest.mark.parametrize("payload", [{"intent": "ask_hours"}, {"intent_ranking": [{"x": 1}]}])
def test_a_malformed_rasa_payload_is_refused(payload: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="not a Rasa parse result"):
        NluResult.from_rasa(payload)


@pytest.mark.parametrize(
    "text", ["will dt be open at 8 tmrw morning??", "open sunday?!", "hours... today?"]
)
def test_repeated_punctuation_is_still_one_question(text: str) -> None:
    assert not asks_more_than_one(nlu(text=text))


def test_naming_only_a_store_is_a_store_choice() -> None:
    decision = classify(nlu(text="the river one", intent="inform_store"), T)
    assert (decision.route, decision.reason) == ("answer", "store_choice")


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [("ok", "ask_hours", 0.31), ("k", "goodbye_typo", 0.2), ("👍", "out_of_scope", 0.4),
     ("got it, thanks", "ask_gift_cards", 0.5)],
)  # fmt: skip
def test_an_acknowledgement_is_never_handed_off(text: str, intent: str, confidence: float) -> None:
    decision = classify(nlu(text, intent, confidence, ("ask_location", 0.3)), T)
    assert (decision.route, decision.reason, decision.intent) == (
        "answer",
        "smalltalk",
        "acknowledge",
    )


def test_the_acknowledge_intent_is_smalltalk() -> None:
    decision = classify(nlu("alrighty then", "acknowledge", 0.9), T)
    assert (decision.route, decision.reason) == ("answer", "smalltalk")


@pytest.mark.parametrize(
    ("text", "intent", "reason"),
    [
        ("my gift card says zero balance but I never used it", "ask_gift_cards", "complex"),
        ("why were my loyalty points reset?", "ask_loyalty", "complex"),
        ("can you hold the last two bags of grout for me until Saturday?", "ask_hours", "complex"),
        ("my mom has dementia and bought things she didn't need, can we return them",
         "ask_returns", "sensitive"),
    ],
)  # fmt: skip
def test_a_complaint_as_a_factual_question_goes_to_a_person(
    text: str, intent: str, reason: str
) -> None:
    decision, answer = decide(nlu(text, intent, 0.97), T, lambda _intent: "the stock fact")
    assert (decision.route, decision.reason, answer) == ("handoff", reason, None)
    assert decision.detail


def test_a_request_intent_goes_to_a_person() -> None:
    assert classify(nlu("save me that mower", "personal_request"), T).reason == "complex"


def test_another_language_goes_to_a_person() -> None:
    decision, answer = decide(nlu("¿a qué hora abren?"), T, lambda _i: "fact", "es")
    assert (decision.route, decision.reason, answer) == ("handoff", "language", None)
    assert "es" in decision.detail


def test_english_is_answered_and_a_telling_reason_is_kept() -> None:
    assert decide(nlu(), T, lambda _i: "fact", "en")[0].route == "answer"
    sensitive = nlu("mi madre murió", "sensitive")
    assert decide(sensitive, T, lambda _i: "fact", "es")[0].reason == "sensitive"

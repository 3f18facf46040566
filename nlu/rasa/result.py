"""What Rasa's ``/model/parse`` tells us about one message, as plain typed data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    name: str
    value: str


@dataclass(frozen=True)
class NluResult:
    text: str
    intent: str | None
    confidence: float
    ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    sentiment: float = 0.0  # VADER compound score, -1 (very negative) … +1
    sentiment_label: str = "neutral"

    @property
    def runner_up(self) -> IntentScore | None:
        others = [score for score in self.ranking if score.name != self.intent]
        return others[0] if others else None

    @property
    def margin(self) -> float:
        second = self.runner_up
        return self.confidence - (second.confidence if second else 0.0)

    def entity(self, name: str) -> str | None:
        return next((e.value for e in self.entities if e.name == name), None)

    @classmethod
    def from_rasa(cls, payload: dict[str, Any]) -> NluResult:
        """Parse Rasa's JSON; raises ``ValueError`` when it is not a parse result."""
        try:
            intent = payload.get("intent") or {}
            sentiment = payload.get("sentiment") or {}
            return cls(
                text=str(payload.get("text", "")),
                intent=intent.get("name"),
                confidence=float(intent.get("confidence") or 0.0),
                ranking=tuple(
                    IntentScore(str(item["name"]), float(item["confidence"]))
                    for item in payload.get("intent_ranking") or ()
                ),
                entities=tuple(
                    Entity(str(item["entity"]), str(item["value"]))
                    for item in payload.get("entities") or ()
                ),
                sentiment=float(sentiment.get("compound", 0.0)),
                sentiment_label=str(sentiment.get("label", "neutral")),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a Rasa parse result: {exc}") from exc

    def summary(self) -> dict[str, Any]:
        """The NLU details shown to employees and kept in the transcript."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "margin": round(self.margin, 3),
            "sentiment": round(self.sentiment, 3),
            "entities": {e.name: e.value for e in self.entities},
        }

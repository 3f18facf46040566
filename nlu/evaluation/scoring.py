"""Scores triage decisions against labelled cases (``tandem triage --file``). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from nlu.errors import BadCasesFile

Category = str


class Case(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str = Field(min_length=1, max_length=4096)
    route: str = Field(pattern="^(answer|handoff|smalltalk)$")
    intent: str | None = None
    category: Category = "uncategorised"
    # The situation the message arrives in (``tandem triage``): the customer's home store,
    # the moment (with its UTC offset), the customer's earlier turns in this conversation
    # (replayed first, a minute apart, so follow-ups have their context) and Telegram's
    # language_code.
    store: str | None = None
    now: AwareDatetime | None = None
    history: tuple[Annotated[str, Field(min_length=1, max_length=4096)], ...] = ()
    language: str | None = Field(default=None, pattern="^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")


class CaseFile(BaseModel):
    cases: list[Case] = Field(min_length=1)


def load_cases(path: Path) -> list[Case]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return CaseFile.model_validate(raw).cases
    except OSError as exc:
        raise BadCasesFile(f"{path}: cannot read the cases file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise BadCasesFile(f"{path}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadCasesFile(f"{path}: {where}: {first['msg']}") from exc


@dataclass(frozen=True)
class Outcome:
    case: Case
    route: str
    intent: str | None
    reason: str | None = None

    @property
    def handed_off(self) -> bool:
        return self.route == "handoff"

    @property
    def correct_answer(self) -> bool:
        return self.route == "answer" and self.intent == self.case.intent

    @property
    def withheld_stale(self) -> bool:
        """Understood right, and correctly not answered because the stored fact is stale."""
        return (
            self.route == "handoff"
            and self.reason == "stale_answer"
            and self.intent == self.case.intent
        )

    @property
    def wrong_answer(self) -> bool:
        """The bot answered, but not the question that was asked (or should not have)."""
        return self.route == "answer" and (
            self.case.route != "answer" or self.intent != self.case.intent
        )


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    def of(*categories: str) -> list[Outcome]:
        return [o for o in outcomes if o.case.category in categories]

    upset = of("emotional", "sensitive")
    complex_ = of("complex", "human_request")
    factual = [o for o in outcomes if o.case.route == "answer"]
    should_hand_off = [o for o in outcomes if o.case.route == "handoff"]
    wrong = [o for o in outcomes if o.wrong_answer]
    return {
        "cases": len(outcomes),
        "handoff_recall_emotional_sensitive": _share(sum(o.handed_off for o in upset), len(upset)),
        "handoff_recall_complex_human": _share(sum(o.handed_off for o in complex_), len(complex_)),
        "handoff_recall_all": _share(
            sum(o.handed_off for o in should_hand_off), len(should_hand_off)
        ),
        "factual_answered_right_intent": _share(
            sum(o.correct_answer for o in factual), len(factual)
        ),
        "factual_right_intent_or_withheld_stale": _share(
            sum(o.correct_answer or o.withheld_stale for o in factual), len(factual)
        ),
        "factual_withheld_stale": sum(o.withheld_stale for o in factual),
        "wrong_answers": len(wrong),
        "wrong_answer_rate_of_factual": _share(sum(o.wrong_answer for o in factual), len(factual)),
        "wrong_answers_to_handoff_cases": sum(o.wrong_answer for o in should_hand_off),
    }

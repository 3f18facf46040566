"""Instant answers to factual questions, from data/answers.yml, notices.yml and stores.yml.

Pure: the caller passes `now`; an answer that is past its review or validity date is
never given (the customer goes to a person instead), and an active notice always wins
over the normal answer so a flooded store is never advertised as open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from nlu.errors import DataError
from nlu.facts.answer_models import (
    AnswersData,
    Fact,
    IntentSpec,
    Notice,
    load_answers,
    load_notices,
)
from nlu.facts.day_hours import DayHoursBook
from nlu.facts.days import DayAsked
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.intents import FACTUAL_INTENT_LIST as FACTUAL_INTENTS
from nlu.facts.stores import StoreDirectory

__all__ = [
    "FACTUAL_INTENTS",
    "Answer",
    "AnswerBook",
    "AnswerResult",
    "DataError",
    "NoAnswer",
    "Notice",
    "validate_all",
]


@dataclass(frozen=True)
class Answer:
    text: str
    intent: str
    store_id: str | None
    source: Literal["fact", "notice"]
    notice_id: str | None = None


@dataclass(frozen=True)
class NoAnswer:
    reason: Literal["stale_answer", "no_answer"]
    detail: str


AnswerResult = Answer | NoAnswer


class _Stale(Exception):
    """Internal: a fact is past its date; carries the detail for NoAnswer."""


def _pick(options: Sequence[str], seed: int) -> str:
    return options[seed % len(options)]


# A day answer's first words, lower-cased after a greeting ("Hi Alex, on Friday, ...").
_LEADS = ("On ", "Today ", "Tomorrow ", "Tonight ", "Yes, ")


def _tidy(text: str) -> str:
    """A phrasing without its greeting ("{hello} here are..."): from its first word, capital."""
    text = text.strip()
    return text[:1].upper() + text[1:]


def _greeted(hello: str, text: str) -> str:
    if not hello:
        return text
    lead = text[:1].lower() + text[1:] if text.startswith(_LEADS) else text
    return f"{hello} {lead}"


def _notice_rank(notice: Notice, intent: str) -> tuple[bool, bool, datetime, str]:
    # Most specific first: a store's own notice, then one naming this intent, then newest.
    return (notice.store != "all", intent in notice.intents, notice.starts, notice.id)


class AnswerBook:
    def __init__(self, stores: StoreDirectory, data: AnswersData, notices: Sequence[Notice]):
        self.stores = stores
        self._data = data
        self.notices = tuple(notices)
        self.days = DayHoursBook(stores)

    @classmethod
    def load(cls, answers: Path, notices: Path, stores: StoreDirectory) -> AnswerBook:
        return cls(stores, load_answers(answers, stores), load_notices(notices, stores))

    @classmethod
    def from_dir(cls, data_dir: Path, stores: StoreDirectory) -> AnswerBook:
        return cls.load(data_dir / "answers.yml", data_dir / "notices.yml", stores)

    def spec(self, intent: str) -> IntentSpec | None:
        return self._data.intents.get(intent)

    def answer(
        self,
        intent: str,
        *,
        store_id: str | None,
        first_name: str | None,
        now: datetime,
        seed: int,
        extra_notices: Sequence[Notice] = (),
        day: DayAsked | None = None,
        greet: bool = True,
    ) -> AnswerResult:
        """The answer; with ``day``, hours for that day; ``greet=False``: no "Hi Alex,"."""
        today = self.stores.local(now).date()  # also rejects a naive `now`
        spec = self._data.intents.get(intent)
        if spec is None:
            return NoAnswer("no_answer", f"no answer configured for {intent!r}")
        if store_id is not None and store_id not in self.stores:
            return NoAnswer("no_answer", f"unknown store {store_id!r}")
        settings = self._data.settings
        hello = settings.greeting.render(first_name) if greet else ""
        if day is not None and spec.derived_from == "hours" and spec.review_by >= today:
            notices = (*self.notices, *extra_notices)
            text = self.days.answer(day, store_id, now, notices)
            return Answer(_greeted(hello, text), intent, store_id, "fact")
        active = [n for n in (*self.notices, *extra_notices) if n.active(now) and n.covers(intent)]
        notice = self._notice_for(active, intent, store_id)
        if notice is not None:
            text = _pick(settings.notice_phrasings, seed).format(hello=hello, notice=notice.text)
            return Answer(_tidy(text), intent, store_id, "notice", notice.id)
        try:
            if spec.review_by < today:
                raise _Stale(f"{intent}.review_by: not re-confirmed since {spec.review_by}")
            if spec.scope == "chain":
                assert spec.fact is not None  # guaranteed by IntentSpec validation
                fact = self._current(spec.fact, f"{intent}.fact", today)
                text = _pick(spec.phrasings, seed).format(hello=hello, fact=fact)
                return Answer(_tidy(text), intent, store_id, "fact")
            if store_id is not None:
                fact = self._store_fact(intent, spec, store_id, now)
                store = self.stores.get(store_id).name
                text = _pick(spec.phrasings, seed).format(hello=hello, store=store, fact=fact)
                return Answer(_tidy(text), intent, store_id, "fact")
            return self._all_stores(intent, spec, active, hello, now, seed)
        except _Stale as stale:
            return NoAnswer("stale_answer", str(stale))

    def stale(self, now: datetime) -> list[str]:
        """Every answer that is past its review or validity date at `now` (notices aside)."""
        today = self.stores.local(now).date()
        found: list[str] = []
        for intent, spec in self._data.intents.items():
            if spec.review_by < today:
                found.append(f"{intent}.review_by: not re-confirmed since {spec.review_by}")
                continue
            facts = [(f"{intent}.fact", spec.fact)] if spec.fact else []
            facts += [(f"{intent}.facts.{sid}", f) for sid, f in (spec.facts or {}).items()]
            for where, fact in facts:
                try:
                    self._current(fact, where, today)
                except _Stale as stale:
                    found.append(str(stale))
        return found

    def _all_stores(
        self,
        intent: str,
        spec: IntentSpec,
        active: Sequence[Notice],
        hello: str,
        now: datetime,
        seed: int,
    ) -> Answer:
        """One line per store; a store under a notice shows the notice, not its usual fact."""
        lines: list[str] = []
        first_notice: str | None = None
        for sid in self.stores.ids():
            notice = self._notice_for(active, intent, sid)
            if notice is not None:
                first_notice = first_notice or notice.id
                line = notice.text
            elif spec.derived_from == "hours":  # compact: today's, then the week's
                line = self.days.week_line(sid, now)
            else:
                line = self._store_fact(intent, spec, sid, now)
            lines.append(f"• {self.stores.get(sid).name}: {line}")
        text = _pick(spec.all_stores_phrasings, seed).format(hello=hello, fact="\n".join(lines))
        source: Literal["fact", "notice"] = "notice" if first_notice else "fact"
        return Answer(_tidy(text), intent, None, source, first_notice)

    @staticmethod
    def _notice_for(active: Sequence[Notice], intent: str, store_id: str | None) -> Notice | None:
        # Without a store only chain-wide notices apply to the whole answer.
        matching = [n for n in active if n.store == "all" or n.store == store_id]
        return max(matching, key=lambda n: _notice_rank(n, intent), default=None)

    @staticmethod
    def _current(fact: Fact, where: str, today: date) -> str:
        if fact.valid_until is not None and fact.valid_until < today:
            raise _Stale(f"{where}.valid_until: expired on {fact.valid_until}")
        return fact.text

    def _store_fact(self, intent: str, spec: IntentSpec, store_id: str, now: datetime) -> str:
        if spec.derived_from is None:
            assert spec.facts is not None  # guaranteed by IntentSpec validation
            today = self.stores.local(now).date()
            return self._current(spec.facts[store_id], f"{intent}.facts.{store_id}", today)
        return self._derived(spec.derived_from, store_id, now)

    def _derived(self, kind: str, store_id: str, now: datetime) -> str:
        store = self.stores.get(store_id)
        if kind == "hours":  # today's hours first, then the week's
            return self.days.week_fact(store_id, now, self.notices)
        if kind == "location":
            return f"{store.address}. {store.directions or ''}".strip()
        if kind == "contact":
            return f"Call us at {store.phone} or email {store.email}."
        if kind == "parking":
            return store.parking
        return store.accessibility


def validate_all(data_dir: Path, *, now: datetime | None = None) -> list[str]:
    """Every problem in data/, one line each (for `tandem doctor`).

    With `now`, answers that are stale at that moment are reported too.
    """
    try:
        stores = StoreDirectory.load(data_dir / "stores.yml")
    except DataError as err:
        return [str(e) for e in err.all()] + [
            f"{data_dir}: other files not checked until stores.yml is fixed"
        ]
    problems: list[str] = []
    book: AnswerBook | None = None
    try:
        data = load_answers(data_dir / "answers.yml", stores)
        book = AnswerBook(stores, data, ())
    except DataError as err:
        problems += [str(e) for e in err.all()]
    try:
        load_notices(data_dir / "notices.yml", stores)
    except DataError as err:
        problems += [str(e) for e in err.all()]
    try:
        EmployeeDirectory.load(data_dir / "employees.yml", stores)
    except DataError as err:
        problems += [str(e) for e in err.all()]
    if book is not None:
        answers = data_dir / "answers.yml"
        problems += [
            f"{answers}: {intent}: no answer configured (customers asking go to a person)"
            for intent in FACTUAL_INTENTS
            if book.spec(intent) is None
        ]
        if now is not None:
            problems += [f"{answers}: {detail}" for detail in book.stale(now)]
    return problems

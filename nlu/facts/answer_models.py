"""Models and loaders for data/answers.yml and data/notices.yml."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    TypeAdapter,
    model_validator,
)

from nlu.errors import DataError
from nlu.facts.datafile import STRICT, load_yaml, matching, validate
from nlu.facts.intents import FACTUAL_INTENT_LIST as FACTUAL_INTENTS
from nlu.facts.stores import StoreDirectory

# Store-scoped intents whose fact is built from stores.yml, so nothing is written twice.
Derived = Literal["hours", "location", "parking", "accessibility", "contact"]


def _template(*allowed: str, required: str) -> Callable[[str], str]:
    """Validator for a phrasing: only known {placeholders}, and `required` must appear."""

    def check(value: str) -> str:
        try:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value)]
        except ValueError:
            raise ValueError(
                f"unbalanced braces in {value!r} (write {{{{ or }}}} for a literal brace)"
            ) from None
        known = ", ".join(f"{{{a}}}" for a in allowed)
        names = [name for name, _, _ in fields if name is not None]
        if any(spec or conv for name, spec, conv in fields if name is not None):
            raise ValueError(f"write placeholders plainly, like {{{required}}}, in {value!r}")
        for name in names:
            if name not in allowed:
                raise ValueError(f"unknown placeholder {{{name}}} (allowed: {known})")
        if required not in names:
            raise ValueError(f"phrasing must contain {{{required}}}")
        return value

    return check


Phrasing = Annotated[str, AfterValidator(_template("hello", "store", "fact", required="fact"))]
AllStoresPhrasing = Annotated[str, AfterValidator(_template("hello", "fact", required="fact"))]
NoticePhrasing = Annotated[str, AfterValidator(_template("hello", "notice", required="notice"))]
NamedGreeting = Annotated[str, AfterValidator(_template("name", required="name"))]


class Greeting(BaseModel):
    model_config = STRICT
    named: NamedGreeting
    anonymous: str = Field(min_length=1)

    def render(self, first_name: str | None) -> str:
        # Telegram names can be anything; keep the greeting short and on one line.
        name = " ".join((first_name or "").split())[:40]
        return self.named.format(name=name) if name else self.anonymous


class Fact(BaseModel):
    model_config = STRICT
    text: str = Field(min_length=1)
    valid_until: date | None = None


class IntentSpec(BaseModel):
    model_config = STRICT
    scope: Literal["store", "chain"]
    review_by: date
    phrasings: tuple[Phrasing, ...] = Field(min_length=1)
    all_stores_phrasings: tuple[AllStoresPhrasing, ...] = ()
    derived_from: Derived | None = None
    facts: dict[str, Fact] | None = None
    fact: Fact | None = None

    @model_validator(mode="after")
    def _consistent(self) -> IntentSpec:
        if self.scope == "chain":
            for name in ("derived_from", "facts", "all_stores_phrasings"):
                if getattr(self, name) not in (None, ()):
                    raise ValueError(f"'{name}' is only for scope: store")
            if self.fact is None:
                raise ValueError("scope: chain needs a 'fact' (with 'text')")
            if any("{store}" in p for p in self.phrasings):
                raise ValueError("{store} can only be used in phrasings with scope: store")
            return self
        if self.fact is not None:
            raise ValueError("scope: store uses 'facts' per store, not 'fact'")
        if (self.facts is None) == (self.derived_from is None):
            raise ValueError("scope: store needs exactly one of 'facts' or 'derived_from'")
        if not self.all_stores_phrasings:
            raise ValueError(
                "scope: store needs 'all_stores_phrasings' (used when the store is unknown)"
            )
        return self


def _intents(value: Any) -> Any:
    return (value,) if value == "all" else value


def _known_intents(value: tuple[str, ...]) -> tuple[str, ...]:
    for intent in value:
        if intent != "all" and intent not in FACTUAL_INTENTS:
            raise ValueError(f"unknown intent {intent!r} (use 'all' or e.g. 'ask_hours')")
    return value


class Notice(BaseModel):
    """A time-boxed announcement that overrides the normal answer (from YAML or Slack)."""

    model_config = STRICT
    id: Annotated[str, matching(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", "a short id without spaces")]
    store: str = Field(min_length=1)  # a store id, or "all"
    starts: AwareDatetime
    ends: AwareDatetime
    text: str = Field(min_length=1)
    intents: Annotated[
        tuple[str, ...], BeforeValidator(_intents), AfterValidator(_known_intents)
    ] = Field(min_length=1)

    @model_validator(mode="after")
    def _window(self) -> Notice:
        if self.ends <= self.starts:
            raise ValueError(f"notice ends ({self.ends}) before it starts ({self.starts})")
        return self

    def active(self, now: datetime) -> bool:
        return self.starts <= now < self.ends

    def covers(self, intent: str) -> bool:
        return "all" in self.intents or intent in self.intents


class AnswerSettings(BaseModel):
    """The non-intent keys of answers.yml."""

    model_config = STRICT
    greeting: Greeting
    notice_phrasings: tuple[NoticePhrasing, ...] = Field(min_length=1)


@dataclass(frozen=True)
class AnswersData:
    settings: AnswerSettings
    intents: Mapping[str, IntentSpec]


_SETTINGS: Final = tuple(AnswerSettings.model_fields)


def load_answers(path: Path, stores: StoreDirectory) -> AnswersData:
    """Parse answers.yml, collecting every problem so the manager can fix them in one go."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise DataError(path, "(top level)", "expected a mapping of settings and intents")
    errors: list[DataError] = []
    settings: AnswerSettings | None = None
    try:
        present = {k: raw[k] for k in _SETTINGS if k in raw}
        settings = validate(path, present, TypeAdapter(AnswerSettings))
    except DataError as err:
        errors.extend(err.all())
    intents: dict[str, IntentSpec] = {}
    for key, value in raw.items():
        if key in _SETTINGS:
            continue
        if key not in FACTUAL_INTENTS:
            msg = f"unknown intent or setting (intents are: {', '.join(FACTUAL_INTENTS)})"
            errors.append(DataError(path, str(key), msg))
            continue
        try:
            intents[key] = validate(path, value, TypeAdapter(IntentSpec), (key,))
        except DataError as err:
            errors.extend(err.all())
            continue
        errors.extend(_check_stores(path, key, intents[key], stores))
    if errors:
        raise DataError(errors[0].path, errors[0].location, errors[0].message, related=errors[1:])
    assert settings is not None  # no errors means the settings validated
    return AnswersData(settings, intents)


def _check_stores(
    path: Path, intent: str, spec: IntentSpec, stores: StoreDirectory
) -> list[DataError]:
    facts: Mapping[str, Fact] = spec.facts or {}
    known = ", ".join(stores.ids())
    errors = [
        DataError(path, f"{intent}.facts.{sid}", f"unknown store (known: {known})")
        for sid in facts
        if sid not in stores
    ]
    if spec.facts is not None:
        errors += [
            DataError(path, f"{intent}.facts", f"missing fact for store '{sid}'")
            for sid in stores.ids()
            if sid not in facts
        ]
    return errors


def load_notices(path: Path, stores: StoreDirectory) -> tuple[Notice, ...]:
    raw = load_yaml(path)
    if raw is None:
        return ()
    notices = validate(path, raw, TypeAdapter(tuple[Notice, ...]))
    seen: set[str] = set()
    for notice in notices:
        if notice.id in seen:
            raise DataError(path, notice.id, "duplicate notice id")
        seen.add(notice.id)
        if notice.store != "all" and notice.store not in stores:
            known = ", ".join(stores.ids())
            raise DataError(path, f"{notice.id}.store", f"unknown store (use 'all' or {known})")
    return notices

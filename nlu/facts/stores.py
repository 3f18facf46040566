"""The store directory (data/stores.yml): names, aliases, opening hours and closures."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, field_validator

from nlu.errors import DataError
from nlu.facts.datafile import (
    STRICT,
    WEEKDAYS,
    HoursField,
    TimeRange,
    load_yaml,
    matching,
    validate,
)

Slug = Annotated[
    str, matching(r"^[a-z0-9][a-z0-9-]*$", "an id of lower-case letters, digits and dashes")
]
SlackUserId = Annotated[str, matching(r"^[UW][A-Z0-9]{2,}$", "a Slack member id like U0MARIA01")]


SlackChannelId = Annotated[
    str, matching(r"^[CG][A-Z0-9]{2,}$", "a Slack channel id like C0DOWNTOWN")
]


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        raise ValueError(f"invalid link {value!r} (must start with https://)")
    return value


Url = Annotated[str, AfterValidator(_url)]


def normalize_text(text: str) -> str:
    """Lower-case, punctuation to spaces, collapsed: 'RIVERSIDE!!' -> 'riverside'."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


class Business(BaseModel):
    model_config = STRICT
    name: str = Field(min_length=1)
    timezone: str
    review_link_base: Url

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (e.g. 'America/Detroit')") from None
        return value


class WeeklyHours(BaseModel):
    """One field per weekday so a missing or misspelled day is caught by name."""

    model_config = STRICT
    mon: HoursField
    tue: HoursField
    wed: HoursField
    thu: HoursField
    fri: HoursField
    sat: HoursField
    sun: HoursField

    def on(self, day: date) -> TimeRange | None:
        hours: TimeRange | None = getattr(self, WEEKDAYS[day.weekday()])
        return hours


class Closure(BaseModel):
    model_config = STRICT
    date: date
    reason: str = Field(min_length=1)


class SpecialHours(BaseModel):
    """One date's own hours (an early close on Christmas Eve), instead of the weekly ones."""

    model_config = STRICT
    date: date
    hours: HoursField
    reason: str = Field(min_length=1)


class Store(BaseModel):
    model_config = STRICT
    id: str = ""  # filled in from the YAML key
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    address: str = Field(min_length=1)
    directions: str | None = None
    phone: Annotated[str, matching(r"^\+?[\d ()./-]{7,}$", "a phone number")]
    email: Annotated[str, matching(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", "an email address")]
    hours: WeeklyHours
    closures: tuple[Closure, ...] = ()
    special_hours: tuple[SpecialHours, ...] = ()
    parking: str = Field(min_length=1)
    accessibility: str = Field(min_length=1)
    slack_channel: SlackChannelId | None = None
    review_link: Url
    supervisor_slack_id: SlackUserId


class StoresFile(BaseModel):
    model_config = STRICT
    business: Business
    stores: dict[Slug, Store] = Field(min_length=1)


def fmt_time(t: time) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def fmt_hours(hours: TimeRange | None) -> str:
    return "closed" if hours is None else f"{fmt_time(hours.start)}–{fmt_time(hours.end)}"


class StoreDirectory:
    """Read-only view of stores.yml. All time logic is in the business timezone."""

    def __init__(self, business: Business, stores: Mapping[str, Store], source: Path) -> None:
        self.business = business
        self.tz = ZoneInfo(business.timezone)
        self.source = source
        for sid, store in stores.items():
            if store.id and store.id != sid:  # the YAML key is the id; don't let them differ
                raise DataError(source, f"stores.{sid}.id", "remove this; the id is the key above")
        self._stores = {sid: s.model_copy(update={"id": sid}) for sid, s in stores.items()}
        self._aliases = self._check_and_index()

    @classmethod
    def load(cls, path: Path) -> StoreDirectory:
        parsed = validate(path, load_yaml(path), TypeAdapter(StoresFile))
        return cls(parsed.business, parsed.stores, path)

    def _check_and_index(self) -> dict[str, str]:
        """Alias -> store id; an alias shared by two stores would make matching ambiguous."""
        index: dict[str, str] = {}
        for sid, store in self._stores.items():
            for alias in (sid.replace("-", " "), store.name, *store.aliases):
                key = normalize_text(alias)
                other = index.setdefault(key, sid)
                if not key or other != sid:
                    why = "has no letters" if not key else f"is also used by store '{other}'"
                    raise DataError(self.source, f"stores.{sid}.aliases", f"{alias!r} {why}")
            if not any(getattr(store.hours, day) for day in WEEKDAYS):
                raise DataError(self.source, f"stores.{sid}.hours", "store is never open")
            self._check_dates(sid, store)
        return index

    def _check_dates(self, sid: str, store: Store) -> None:
        """A date may be listed once, as a closure or with special hours, not both."""
        seen: set[date] = set()
        for where, day in (
            *((f"stores.{sid}.closures", c.date) for c in store.closures),
            *((f"stores.{sid}.special_hours", s.date) for s in store.special_hours),
        ):
            if day in seen:
                raise DataError(self.source, where, f"{day} is listed twice; keep one entry")
            seen.add(day)

    @property
    def business_name(self) -> str:
        return self.business.name

    # --- lookups -------------------------------------------------------------------

    def __contains__(self, store_id: object) -> bool:
        return store_id in self._stores

    def __iter__(self) -> Iterator[Store]:
        return iter(self._stores.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._stores)

    def get(self, store_id: str) -> Store:
        try:
            return self._stores[store_id]
        except KeyError:
            raise KeyError(f"unknown store {store_id!r}") from None

    def review_link(self, store_id: str | None) -> str:
        return self.get(store_id).review_link if store_id else self.business.review_link_base

    def find_in_text(self, text: str) -> str | None:
        """The one store a message names; None if it names none or several."""
        padded = f" {normalize_text(text)} "
        found = {sid for alias, sid in self._aliases.items() if f" {alias} " in padded}
        return found.pop() if len(found) == 1 else None

    def without_stores(self, text: str) -> str:
        """The message, normalized, with every store name and alias taken out."""
        padded = f" {normalize_text(text)} "
        for alias in sorted(self._aliases, key=len, reverse=True):
            padded = padded.replace(f" {alias} ", " ")
        return padded.strip()

    def normalize(self, entity_value: str) -> str | None:
        """Map an NLU `store` entity value (id, name, alias or a phrase) to a store id."""
        exact = self._aliases.get(normalize_text(entity_value))
        return exact if exact is not None else self.find_in_text(entity_value)

    # --- time ----------------------------------------------------------------------

    def local(self, now: datetime) -> datetime:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(self.tz)

    def hours_on(self, store_id: str, day: date) -> TimeRange | None:
        """Opening hours on a calendar date, or None when closed (weekly or holiday)."""
        store = self.get(store_id)
        if any(c.date == day for c in store.closures):
            return None
        special = next((s for s in store.special_hours if s.date == day), None)
        return special.hours if special is not None else store.hours.on(day)

    def reason_on(self, store_id: str, day: date) -> str | None:
        """Why a date's hours differ from the week's: its closure's or special hours' reason."""
        store = self.get(store_id)
        reasons = [c.reason for c in store.closures if c.date == day]
        reasons += [s.reason for s in store.special_hours if s.date == day]
        return reasons[0] if reasons else None

    def is_open(self, store_id: str, now: datetime) -> bool:
        local = self.local(now)
        hours = self.hours_on(store_id, local.date())
        return hours is not None and hours.contains(local.time())

    def next_opening(self, store_id: str, now: datetime) -> datetime:
        """Start of the next opening period strictly after `now` (store-local, DST-aware)."""
        start = self.local(now).date()
        for offset in range(400):  # > a year, so any closure list is skipped
            day = start + timedelta(days=offset)
            hours = self.hours_on(store_id, day)
            if hours is None:
                continue
            # Building from the local wall clock gets the right UTC offset on DST days.
            opening = datetime.combine(day, hours.start, tzinfo=self.tz)
            if opening > now:
                return opening
        raise ValueError(f"store {store_id!r} never opens")

    def upcoming_closures(self, store_id: str, now: datetime, days: int = 14) -> list[Closure]:
        today = self.local(now).date()
        last = today + timedelta(days=days)
        return sorted(
            (c for c in self.get(store_id).closures if today <= c.date <= last),
            key=lambda c: c.date,
        )

    def hours_text(self, store_id: str) -> str:
        """Weekly hours, consecutive equal days grouped: 'Mon–Fri 7 am–7 pm, Sun closed'."""
        week = self.get(store_id).hours
        groups: list[tuple[str, str, TimeRange | None]] = []
        for day in WEEKDAYS:
            hours: TimeRange | None = getattr(week, day)
            if groups and groups[-1][2] == hours:
                groups[-1] = (groups[-1][0], day, hours)
            else:
                groups.append((day, day, hours))
        return ", ".join(
            f"{first.title()}{'' if first == last else '–' + last.title()} {fmt_hours(hours)}"
            for first, last, hours in groups
        )

"""The employee directory (data/employees.yml): who works where, and when."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, model_validator

from nlu.errors import DataError
from nlu.facts.datafile import STRICT, WEEKDAYS, TimeRangeField, load_yaml, matching, validate
from nlu.facts.stores import SlackUserId, Slug, StoreDirectory

Language = Annotated[str, matching(r"^[a-z]{2,3}$", "a language code like 'en' or 'es'")]
Role = Literal["associate", "supervisor", "manager"]


def _photo(value: str) -> str:
    # Relative to data/, inside photos/, so a typo can't point elsewhere on disk.
    parts = PurePosixPath(value).parts
    if value.startswith("/") or ".." in parts or parts[:1] != ("photos",):
        raise ValueError(f"photo {value!r} must be a path like 'photos/maria.jpg'")
    return value


Shifts = tuple[TimeRangeField, ...]


class WeeklyShifts(BaseModel):
    """Shifts per weekday; a day left out is a day off."""

    model_config = STRICT
    mon: Shifts = ()
    tue: Shifts = ()
    wed: Shifts = ()
    thu: Shifts = ()
    fri: Shifts = ()
    sat: Shifts = ()
    sun: Shifts = ()

    @model_validator(mode="after")
    def _no_overlap(self) -> WeeklyShifts:
        for day in WEEKDAYS:
            ranges = sorted(getattr(self, day))
            for earlier, later in pairwise(ranges):
                if later.start < earlier.end:
                    raise ValueError(f"{day}: shifts {earlier} and {later} overlap")
        return self


class Employee(BaseModel):
    model_config = STRICT
    id: Slug
    name: str = Field(min_length=1)  # first name, shown to customers
    full_name: str = Field(min_length=1)
    slack_user_id: SlackUserId
    store: str
    role: Role
    languages: tuple[Language, ...] = Field(min_length=1)
    photo: Annotated[str, AfterValidator(_photo)] | None = None
    intro: str = ""
    shifts: WeeklyShifts = WeeklyShifts()

    def on_shift_at(self, local: datetime) -> bool:
        """`local` must already be in the store's timezone."""
        ranges = getattr(self.shifts, WEEKDAYS[local.weekday()])
        return any(r.contains(local.time()) for r in ranges)


class EmployeeDirectory:
    """Read-only, ordered view of employees.yml; order is the routing tie-break."""

    def __init__(self, employees: tuple[Employee, ...], stores: StoreDirectory, source: Path):
        self.stores = stores
        self.source = source
        self._all = employees
        self._by_id = {e.id: e for e in employees}
        self._by_slack = {e.slack_user_id: e for e in employees}

    @classmethod
    def load(cls, path: Path, stores: StoreDirectory) -> EmployeeDirectory:
        raw = load_yaml(path)
        if raw is None:
            raise DataError(path, "(top level)", "no employees listed")
        employees = validate(path, raw, TypeAdapter(tuple[Employee, ...]))
        cls._check(path, employees, stores)
        return cls(employees, stores, path)

    @staticmethod
    def _check(path: Path, employees: tuple[Employee, ...], stores: StoreDirectory) -> None:
        ids: set[str] = set()
        slack: dict[str, str] = {}
        for e in employees:
            if e.id in ids:
                raise DataError(path, f"{e.id}.id", "duplicate employee id")
            ids.add(e.id)
            if e.slack_user_id in slack:
                other = slack[e.slack_user_id]
                raise DataError(path, f"{e.id}.slack_user_id", f"already used by '{other}'")
            slack[e.slack_user_id] = e.id
            if e.store not in stores:
                known = ", ".join(stores.ids())
                raise DataError(path, f"{e.id}.store", f"unknown store {e.store!r} ({known})")
        by_slack = {e.slack_user_id: e for e in employees}
        for store in stores:
            boss = by_slack.get(store.supervisor_slack_id)
            where = f"stores.{store.id}.supervisor_slack_id"
            if boss is None or boss.store != store.id or boss.role == "associate":
                why = (
                    "is not in employees.yml"
                    if boss is None
                    else f"is {boss.id} ({boss.role} at {boss.store})"
                )
                msg = f"{store.supervisor_slack_id} {why}; need a supervisor or manager here"
                raise DataError(stores.source, where, msg)

    def __iter__(self) -> Iterator[Employee]:
        return iter(self._all)

    def __contains__(self, employee_id: object) -> bool:
        return employee_id in self._by_id

    def get(self, employee_id: str) -> Employee:
        try:
            return self._by_id[employee_id]
        except KeyError:
            raise KeyError(f"unknown employee {employee_id!r}") from None

    def by_slack_id(self, slack_user_id: str) -> Employee | None:
        return self._by_slack.get(slack_user_id)

    def is_employee(self, slack_user_id: str) -> bool:
        return slack_user_id in self._by_slack

    def for_store(self, store_id: str) -> tuple[Employee, ...]:
        self.stores.get(store_id)  # unknown store -> KeyError, not a silent empty list
        return tuple(e for e in self._all if e.store == store_id)

    def on_shift(self, store_id: str, now: datetime) -> tuple[Employee, ...]:
        """Who is working at `now`; nobody on a holiday closure, whatever the rota says."""
        local = self.stores.local(now)
        if any(c.date == local.date() for c in self.stores.get(store_id).closures):
            return ()
        return tuple(e for e in self.for_store(store_id) if e.on_shift_at(local))

    def supervisor(self, store_id: str) -> Employee:
        """The store's supervisor as named in stores.yml (checked at load)."""
        return self._by_slack[self.stores.get(store_id).supervisor_slack_id]

    def photo_path(self, employee_id: str, data_dir: Path) -> Path | None:
        """The photo file if one is set and exists (photos may be added later)."""
        photo = self.get(employee_id).photo
        path = data_dir / photo if photo else None
        return path if path is not None and path.is_file() else None

"""choose_employee (handoff.core.routing): continuity, least-loaded, exclusions, nobody on shift."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handoff.core.routing import choose_employee
from nlu.facts.directory import Employee, EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DET)
MONDAY_NIGHT = datetime(2026, 11, 30, 22, tzinfo=DET)


def employee(slug: str, store: str = "downtown", mon: str | None = "09:00-17:00") -> Employee:
    return Employee.model_validate(
        {
            "id": slug,
            "name": slug.title(),
            "full_name": f"{slug.title()} Tester",
            "slack_user_id": f"U0{slug.upper()}",
            "store": store,
            "role": "associate",
            "languages": ["en"],
            "shifts": {"mon": [mon]} if mon else {},
        }
    )


@pytest.fixture(scope="module")
def directory() -> EmployeeDirectory:
    stores = StoreDirectory.load(DATA / "stores.yml")
    team = (
        employee("ann"),
        employee("bob"),
        employee("cat"),
        employee("dan", mon=None),  # off on Mondays
        employee("eve", store="riverside"),
    )
    return EmployeeDirectory(team, stores, Path("test"))


def choose(
    directory: EmployeeDirectory,
    *,
    last: str | None = None,
    counts: Mapping[str, int] | None = None,
    exclude: Collection[str] = (),
    now: datetime = MONDAY_NOON,
    store: str = "downtown",
) -> str | None:
    chosen = choose_employee(
        store_id=store,
        now=now,
        directory=directory,
        last_helper=last,
        open_counts=counts or {},
        exclude=exclude,
    )
    return chosen.id if chosen else None


def test_least_loaded_wins(directory: EmployeeDirectory) -> None:
    assert choose(directory, counts={"ann": 2, "bob": 0, "cat": 1}) == "bob"
    assert choose(directory, counts={"ann": 2, "bob": 3, "cat": 1}) == "cat"


def test_ties_go_to_directory_order(directory: EmployeeDirectory) -> None:
    assert choose(directory) == "ann"
    assert choose(directory, counts={"ann": 1}) == "bob"
    assert choose(directory, counts={"ann": 1, "bob": 1, "cat": 1}) == "ann"


def test_continuity_beats_load(directory: EmployeeDirectory) -> None:
    assert choose(directory, last="cat", counts={"ann": 0, "cat": 5}) == "cat"


def test_last_helper_off_shift_or_elsewhere_is_ignored(directory: EmployeeDirectory) -> None:
    assert choose(directory, last="dan", counts={"ann": 1}) == "bob"
    assert choose(directory, last="eve") == "ann"
    assert choose(directory, last="nobody") == "ann"


def test_excluded_people_are_skipped(directory: EmployeeDirectory) -> None:
    assert choose(directory, exclude={"ann"}) == "bob"
    assert choose(directory, last="cat", exclude={"cat"}, counts={"bob": 1}) == "ann"
    assert choose(directory, exclude={"ann", "bob", "cat"}) is None


def test_slack_ids_work_as_keys(directory: EmployeeDirectory) -> None:
    assert choose(directory, counts={"U0ANN": 3, "U0BOB": 1, "U0CAT": 2}) == "bob"
    assert choose(directory, last="U0CAT") == "cat"
    assert choose(directory, exclude={"U0ANN"}) == "bob"


def test_nobody_on_shift(directory: EmployeeDirectory) -> None:
    assert choose(directory, now=MONDAY_NIGHT) is None
    assert choose(directory, now=datetime(2026, 11, 29, 12, tzinfo=DET)) is None  # Sunday
    assert choose(directory, store="northgate") is None  # no one there in this directory


def test_only_that_stores_people(directory: EmployeeDirectory) -> None:
    assert choose(directory, store="riverside", counts={"eve": 9}) == "eve"


def test_counts_are_not_modified(directory: EmployeeDirectory) -> None:
    counts = {"ann": 1}
    choose(directory, counts=counts)
    assert counts == {"ann": 1}


def test_with_the_shipped_rota() -> None:
    stores = StoreDirectory.load(DATA / "stores.yml")
    staff = EmployeeDirectory.load(DATA / "employees.yml", stores)
    chosen = choose(staff, counts={"maria-gonzalez": 2})
    assert chosen == "darnell-brooks"  # Maria and Darnell are both on at Monday noon

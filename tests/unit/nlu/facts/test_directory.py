"""EmployeeDirectory (nlu.facts.directory): lookups, shifts, and employees.yml validation."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from nlu.errors import DataError
from nlu.facts.answers import validate_all
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
STORES = ("downtown", "riverside", "northgate")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DET)


@pytest.fixture(scope="module")
def stores() -> StoreDirectory:
    return StoreDirectory.load(DATA / "stores.yml")


@pytest.fixture(scope="module")
def staff(stores: StoreDirectory) -> EmployeeDirectory:
    return EmployeeDirectory.load(DATA / "employees.yml", stores)


def ids(employees: Any) -> list[str]:
    return [e.id for e in employees]


@pytest.mark.parametrize("store", STORES)
def test_each_store_has_staff_and_its_supervisor(
    staff: EmployeeDirectory, stores: StoreDirectory, store: str
) -> None:
    team = staff.for_store(store)
    assert len(team) >= 3
    boss = staff.supervisor(store)
    assert boss in team
    assert boss.role == "supervisor"
    assert boss.slack_user_id == stores.get(store).supervisor_slack_id


def test_lookups(staff: EmployeeDirectory) -> None:
    maria = staff.get("maria-gonzalez")
    assert (maria.name, maria.full_name, maria.store) == ("Maria", "Maria Gonzalez", "downtown")
    assert maria.languages == ("en", "es")
    assert staff.by_slack_id("U0MARIA01") == maria
    assert staff.by_slack_id("U0NOBODY1") is None
    assert staff.is_employee("U0AISHA01")
    assert not staff.is_employee("U0CUSTOMER")
    assert "maria-gonzalez" in staff
    with pytest.raises(KeyError):
        staff.get("nobody")
    with pytest.raises(KeyError):
        staff.for_store("springfield")


def test_for_store_keeps_directory_order(staff: EmployeeDirectory) -> None:
    assert ids(staff.for_store("downtown")) == [
        "maria-gonzalez",
        "darnell-brooks",
        "mei-lin-chen",
        "tomasz-nowak",
    ]


def test_on_shift(staff: EmployeeDirectory) -> None:
    assert ids(staff.on_shift("downtown", at(2026, 11, 30, 8))) == ["maria-gonzalez"]
    assert ids(staff.on_shift("downtown", at(2026, 11, 30, 12))) == [
        "maria-gonzalez",
        "darnell-brooks",
    ]
    # Shift ends are exclusive: Maria leaves at 15:30.
    assert ids(staff.on_shift("downtown", at(2026, 11, 30, 15, 30))) == ["darnell-brooks"]
    assert staff.on_shift("downtown", at(2026, 11, 29, 12)) == ()  # closed Sunday
    assert staff.on_shift("downtown", at(2026, 11, 30, 22)) == ()


def test_nobody_is_on_shift_on_a_holiday(staff: EmployeeDirectory) -> None:
    # Thanksgiving is a Thursday, when Maria's rota says 10:30-19:00.
    assert staff.on_shift("downtown", at(2026, 11, 26, 12)) == ()
    assert ids(staff.on_shift("downtown", at(2026, 12, 3, 12)))[0] == "maria-gonzalez"


def test_on_shift_uses_store_local_time_across_dst(staff: EmployeeDirectory) -> None:
    # Sunday 09:30 in Detroit is 14:30 UTC in winter and 13:30 UTC in summer.
    assert ids(staff.on_shift("riverside", datetime(2027, 3, 7, 14, 30, tzinfo=UTC)))
    assert staff.on_shift("riverside", datetime(2027, 3, 7, 13, 30, tzinfo=UTC)) == ()
    assert ids(staff.on_shift("riverside", datetime(2027, 3, 14, 13, 30, tzinfo=UTC)))
    with pytest.raises(ValueError, match="timezone-aware"):
        staff.on_shift("riverside", datetime(2027, 3, 14, 10))


def test_photo_is_optional(staff: EmployeeDirectory, tmp_path: Path) -> None:
    assert staff.get("jenna-kowalski").photo is None
    assert staff.get("maria-gonzalez").photo == "photos/maria-gonzalez.jpg"
    assert staff.photo_path("maria-gonzalez", tmp_path) is None  # file not there yet
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "maria-gonzalez.jpg").write_bytes(b"jpeg")
    assert staff.photo_path("maria-gonzalez", tmp_path) == tmp_path / "photos/maria-gonzalez.jpg"


# --- bad employees.yml ----------------------------------------------------------------


def copy_data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA, tmp_path / "data"))


def edit(data: Path, name: str, change: Callable[[Any], Any]) -> None:
    path = data / name
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def person(index: int, **kw: Any) -> Callable[[Any], None]:
    return lambda doc: doc[index].update(kw)


CASES: list[tuple[Callable[[Any], None], str, str]] = [
    (person(0, shifts={"mon": ["9-5"]}), "maria-gonzalez.shifts.mon[0]", "invalid time range"),
    (person(0, shifts={"mon": ["07:00-12:00", "11:00-15:00"]}), "maria-gonzalez.shifts", "overlap"),
    (person(0, shifts={"thurs": ["07:00-12:00"]}), "maria-gonzalez.shifts.thurs", "unknown field"),
    (
        person(0, shifts={"mon": ["22:00-02:00"]}),
        "maria-gonzalez.shifts.mon[0]",
        "cannot cross midnight",
    ),
    (person(1, store="uptown"), "darnell-brooks.store", "unknown store 'uptown'"),
    (person(1, role="boss"), "darnell-brooks.role", "'associate', 'supervisor' or 'manager'"),
    (person(1, languages=["en", False]), "darnell-brooks.languages[1]", "put it in quotes"),
    (person(1, languages=["English"]), "darnell-brooks.languages[0]", "language code"),
    (person(1, languages=[]), "darnell-brooks.languages", "must not be empty"),
    (person(1, photo="../../etc/passwd"), "darnell-brooks.photo", "photos/"),
    (person(1, slack_user_id="darnell"), "darnell-brooks.slack_user_id", "Slack member id"),
    (
        person(1, slack_user_id="U0MARIA01"),
        "darnell-brooks.slack_user_id",
        "already used by 'maria-gonzalez'",
    ),
    (person(1, id="maria-gonzalez"), "maria-gonzalez.id", "duplicate employee id"),
    (person(1, id="Darnell B"), "Darnell B.id", "lower-case"),
    (person(1, shift={}), "darnell-brooks.shift", "unknown field"),
    (lambda doc: doc[1].pop("full_name"), "darnell-brooks.full_name", "missing"),
    (lambda doc: doc[2].pop("id"), "[2].id", "missing"),
]


@pytest.mark.parametrize(("change", "location", "fragment"), CASES)
def test_bad_employees_yml(
    tmp_path: Path, change: Callable[[Any], None], location: str, fragment: str
) -> None:
    data = copy_data(tmp_path)
    edit(data, "employees.yml", change)
    stores = StoreDirectory.load(data / "stores.yml")
    with pytest.raises(DataError) as caught:
        EmployeeDirectory.load(data / "employees.yml", stores)
    err = caught.value
    assert (err.path, err.location) == (str(data / "employees.yml"), location), str(err)
    assert fragment in err.message
    assert str(err) in validate_all(data)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (person(0, role="associate"), "maria-gonzalez (associate at downtown)"),
        (person(0, store="riverside"), "maria-gonzalez (supervisor at riverside)"),
        (lambda doc: doc.pop(0), "U0MARIA01 is not in employees.yml"),
    ],
)
def test_store_supervisor_must_lead_that_store(
    tmp_path: Path, change: Callable[[Any], None], fragment: str
) -> None:
    data = copy_data(tmp_path)
    edit(data, "employees.yml", change)
    stores = StoreDirectory.load(data / "stores.yml")
    with pytest.raises(DataError) as caught:
        EmployeeDirectory.load(data / "employees.yml", stores)
    err = caught.value
    assert err.path == str(data / "stores.yml")
    assert err.location == "stores.downtown.supervisor_slack_id"
    assert fragment in err.message


def test_a_manager_may_be_the_supervisor(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(
        data,
        "stores.yml",
        lambda d: d["stores"]["northgate"].update(supervisor_slack_id="U0GRACE01"),
    )
    stores = StoreDirectory.load(data / "stores.yml")
    staff = EmployeeDirectory.load(data / "employees.yml", stores)
    assert staff.supervisor("northgate").id == "grace-okafor"


def test_empty_employees_file(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "employees.yml").write_text("# everyone quit\n")
    stores = StoreDirectory.load(data / "stores.yml")
    with pytest.raises(DataError, match="no employees listed"):
        EmployeeDirectory.load(data / "employees.yml", stores)

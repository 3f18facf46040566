"""choose_employee (handoff.core.routing): continuity, least-loaded, exclusions, nobody on shift."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handoff.core.escalation import Stage, Team, first_offer
from handoff.core.routing import choose_employee, speaker_on_shift
from nlu.facts.directory import Employee, EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DET)
MONDAY_NIGHT = datetime(2026, 11, 30, 22, tzinfo=DET)


def employee(
    slug: str,
    store: str = "downtown",
    mon: str | None = "09:00-17:00",
    languages: tuple[str, ...] = ("en",),
) -> Employee:
    return Employee.model_validate(
        {
            "id": slug,
            "name": slug.title(),
            "full_name": f"{slug.title()} Tester",
            "slack_user_id": f"U0{slug.upper()}",
            "store": store,
            "role": "associate",
            "languages": list(languages),
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
    language: str | None = None,
) -> str | None:
    chosen = choose_employee(
        store_id=store,
        now=now,
        directory=directory,
        last_helper=last,
        open_counts=counts or {},
        exclude=exclude,
        language=language,
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


@pytest.fixture(scope="module")
def speakers() -> EmployeeDirectory:
    stores = StoreDirectory.load(DATA / "stores.yml")
    team = (
        employee("ann"),
        employee("bea", languages=("en", "es")),
        employee("cho", languages=("en", "es", "zh")),
        employee("dov", languages=("en", "pl"), mon=None),  # off on Mondays
        employee("eva", store="riverside", languages=("en", "pl")),
        employee("fay", store="northgate", languages=("en", "ar"), mon="18:00-21:00"),
    )
    return EmployeeDirectory(team, stores, Path("test"))


def test_a_speaker_at_the_store_comes_first(speakers: EmployeeDirectory) -> None:
    assert choose(speakers) == "ann"  # no language: the usual choice
    assert choose(speakers, language="es", counts={"bea": 4, "ann": 0}) == "cho"  # by load
    assert choose(speakers, language="es", counts={"cho": 1}) == "bea"
    assert choose(speakers, language="zh", counts={"cho": 9}) == "cho"
    assert choose(speakers, language="es-MX", last="cho", counts={"cho": 9}) == "cho"
    assert choose(speakers, language="en") == "ann"


def test_then_a_speaker_on_shift_at_another_store(speakers: EmployeeDirectory) -> None:
    # Downtown's Polish speaker is off on Mondays; Riverside's is on.
    assert choose(speakers, language="pl") == "eva"
    assert choose(speakers, language="pl", exclude={"eva"}) == "ann"


def test_then_the_usual_choice(speakers: EmployeeDirectory) -> None:
    assert choose(speakers, language="ar") == "ann"  # Fay is not on shift at noon
    assert choose(speakers, language="ar", now=MONDAY_NOON.replace(hour=16)) == "ann"
    assert choose(speakers, language="yo", counts={"ann": 3}) == "bea"
    assert choose(speakers, language="es", now=MONDAY_NIGHT) is None


def test_speaker_on_shift_anywhere(speakers: EmployeeDirectory) -> None:
    evening = MONDAY_NOON.replace(hour=19)

    def anywhere(language: str, now: datetime) -> str | None:
        found = speaker_on_shift(
            language, now=now, directory=speakers, last_helper=None, open_counts={}
        )
        return found.id if found else None

    assert anywhere("ar", evening) == "fay"
    assert anywhere("ar", MONDAY_NOON) is None
    assert anywhere("es", MONDAY_NOON) == "bea"


def test_the_shipped_rota_offers_spanish_to_a_spanish_speaker() -> None:
    stores = StoreDirectory.load(DATA / "stores.yml")
    staff = EmployeeDirectory.load(DATA / "employees.yml", stores)
    # Monday noon at Downtown: Maria (es) and Darnell (en only) are on.
    assert choose(staff, language="es", counts={"maria-gonzalez": 3}) == "maria-gonzalez"
    assert staff.get("maria-gonzalez").languages == ("en", "es")


@pytest.fixture(scope="module")
def shipped() -> Team:
    stores = StoreDirectory.load(DATA / "stores.yml")
    return Team(stores, EmployeeDirectory.load(DATA / "employees.yml", stores), {}, 120.0)


def test_the_first_offer_of_a_language_handoff(shipped: Team) -> None:
    """Through the ladder's first rung (escalation.first_offer) on the shipped rota."""
    tuesday_noon = datetime(2026, 12, 8, 12, tzinfo=DET)  # Riverside: Aisha, Luis on shift
    english = first_offer("riverside", now=tuesday_noon, team=shipped, last_helper=None)
    spanish = first_offer(
        "riverside", now=tuesday_noon, team=shipped, last_helper=None, language="es"
    )
    assert (english.to, spanish.to) == ("U0AISHA01", "U0LUIS01")
    assert spanish.stage is Stage.PERSON
    # No store known: someone on shift anywhere who speaks it, rather than nobody.
    anywhere = first_offer(None, now=tuesday_noon, team=shipped, last_helper=None, language="pl")
    assert anywhere.to == "U0TOMASZ01"
    assert first_offer(None, now=tuesday_noon, team=shipped, last_helper=None).stage is Stage.END


def test_a_closed_store_still_reaches_a_speaker_on_shift_elsewhere(shipped: Team) -> None:
    sunday_noon = datetime(2026, 12, 6, 12, tzinfo=DET)  # Downtown is closed on Sundays
    assert not shipped.stores.is_open("downtown", sunday_noon)
    arabic = first_offer("downtown", now=sunday_noon, team=shipped, last_helper=None, language="ar")
    assert (arabic.to, arabic.opens_at) == ("U0SAMIR01", None)  # Samir, Northgate, now
    # Nobody on shift speaks Polish on Sunday: the store's usual offer, at its opening.
    polish = first_offer("downtown", now=sunday_noon, team=shipped, last_helper=None, language="pl")
    usual = first_offer("downtown", now=sunday_noon, team=shipped, last_helper=None)
    assert polish == usual
    assert usual.opens_at is not None

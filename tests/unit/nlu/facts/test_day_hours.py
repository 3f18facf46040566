"""Hours for the day asked, in words (nlu.facts.day_hours), and special hours (stores.yml)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from nlu.errors import DataError
from nlu.facts.answer_models import Notice
from nlu.facts.day_hours import DayHoursBook
from nlu.facts.days import DayAsked, parse_day
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
SAT_MORNING = datetime(2026, 12, 5, 10, 0, tzinfo=DET)


@pytest.fixture(scope="module")
def book() -> DayHoursBook:
    return DayHoursBook(StoreDirectory.load(DATA / "stores.yml"))


def answer(book: DayHoursBook, text: str, store: str | None, now: datetime = SAT_MORNING) -> str:
    asked = parse_day(text, now.date())
    assert asked is not None
    return book.answer(asked, store, now, ())


def test_a_closure_weeks_ahead_is_closed_with_its_reason_and_the_reopening(
    book: DayHoursBook,
) -> None:
    early = datetime(2026, 11, 28, 9, tzinfo=DET)  # four weeks before Christmas
    text = answer(book, "Is Riverside open on Christmas Day?", "riverside", early)
    assert text.startswith("On Friday, December 25 (Christmas Day) Riverside is closed.")
    assert "Downtown and Northgate are closed too." in text
    assert text.endswith("Riverside reopens Saturday, December 26 at 7 am.")


def test_a_holiday_a_year_ahead_is_closed(book: DayHoursBook) -> None:
    text = answer(book, "open on easter?", "northgate")
    assert text.startswith("On Sunday, March 28 (Easter Sunday) Northgate is closed.")
    assert "Downtown and Riverside are closed too." in text  # Downtown: never on Sundays


def test_special_hours_are_used(book: DayHoursBook) -> None:
    text = answer(book, "hours on christmas eve?", "downtown")
    assert text == "On Thursday, December 24 (Christmas Eve) Downtown is open 8 am–3 pm."


def test_an_ordinary_day_names_the_day_and_its_hours(book: DayHoursBook) -> None:
    assert answer(book, "is downtown open tomorrow?", "downtown") == (
        "Tomorrow (Sunday, December 6) Downtown is closed. "
        "Downtown reopens Monday, December 7 at 7 am."
    )
    assert answer(book, "close today", "riverside") == (
        "Today (Saturday, December 5) Riverside is open 7 am–8 pm."
    )


def test_without_a_store_one_line_each_or_one_sentence_when_all_agree(
    book: DayHoursBook,
) -> None:
    lines = answer(book, "open on sunday?", None).splitlines()
    assert lines == [
        "Tomorrow (Sunday, December 6):",
        "• Downtown: closed",
        "• Riverside: open 9 am–5 pm",
        "• Northgate: open 9 am–6 pm",
    ]
    text = answer(book, "new year's day?", None)
    assert text.startswith("On Friday, January 1 (New Year's Day) all our stores are closed.")
    assert "Riverside and Northgate Saturday, January 2 at 7 am" in text
    assert "Downtown Saturday, January 2 at 8 am" in text


@pytest.mark.parametrize(
    ("hour", "minute", "tonight", "expected"),
    [
        (10, 0, False, "Yes, Riverside is open now, until 8 pm today."),
        (6, 30, False, "Riverside is closed now; it opens today at 7 am."),
        (20, 0, False, "Riverside closed at 8 pm today; it opens again tomorrow (Sunday, "
         "December 6) at 9 am."),
        (19, 59, True, "Tonight Riverside is open until 8 pm."),
    ],
)  # fmt: skip
def test_now_and_tonight_from_the_current_time(
    book: DayHoursBook, hour: int, minute: int, tonight: bool, expected: str
) -> None:
    now = datetime(2026, 12, 5, hour, minute, tzinfo=DET)
    asked = DayAsked((now.date(),), now=not tonight, tonight=tonight)
    assert book.answer(asked, "riverside", now, ()) == expected


def test_now_on_a_closed_day_says_why_and_when_it_opens(book: DayHoursBook) -> None:
    now = datetime(2026, 12, 25, 11, tzinfo=DET)
    asked = DayAsked((now.date(),), now=True)
    assert book.answer(asked, "northgate", now, ()) == (
        "Northgate is closed today for Christmas Day; it opens tomorrow (Saturday, December 26) "
        "at 7 am."
    )


def test_a_notice_on_the_day_asked_wins_however_far_ahead(book: DayHoursBook) -> None:
    notice = Notice.model_validate(
        {
            "id": "stocktake",
            "store": "riverside",
            "starts": datetime(2027, 2, 10, 0, tzinfo=DET),
            "ends": datetime(2027, 2, 11, 0, tzinfo=DET),
            "text": "Riverside is closed for stocktaking on February 10.",
            "intents": ["ask_hours"],
        }
    )
    asked = DayAsked((date(2027, 2, 10),))
    text = book.answer(asked, "riverside", SAT_MORNING, (notice,))
    assert text == "On Wednesday, February 10: Riverside is closed for stocktaking on February 10."
    assert "open" in book.answer(
        DayAsked((date(2027, 2, 11),)), "riverside", SAT_MORNING, (notice,)
    )


def test_a_date_listed_twice_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA / "stores.yml").read_text())
    raw["stores"]["downtown"]["special_hours"].append(
        {"date": "2026-12-25", "hours": "09:00-12:00", "reason": "Christmas Day"}
    )
    path = tmp_path / "stores.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataError, match="2026-12-25 is listed twice"):
        StoreDirectory.load(path)


def test_special_hours_are_validated_like_the_week(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA / "stores.yml").read_text())
    raw["stores"]["downtown"]["special_hours"] = [{"date": "2026-12-24", "hours": "3pm"}]
    path = tmp_path / "stores.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataError) as err:
        StoreDirectory.load(path)
    text = "\n".join(str(e) for e in err.value.all())
    assert "special_hours" in text
    assert "reason" in text

"""Reading the day a message asks about, and holidays by name (nlu.facts.days, .holidays)."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.facts.days import parse_day, without_days
from nlu.facts.holidays import holiday_name, next_holiday

SAT = date(2026, 12, 5)  # a Saturday
MON = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("what time does riverside close today", SAT, SAT),
        ("is downtown open tomorrow?", SAT, date(2026, 12, 6)),
        ("open the day after tomorrow?", SAT, date(2026, 12, 7)),
        ("are you open on Sunday?", SAT, date(2026, 12, 6)),
        ("are you open on Saturday?", SAT, SAT),  # today is Saturday
        ("this Friday", SAT, date(2026, 12, 11)),
        ("this friday", MON, date(2026, 12, 11)),
        ("next Friday", MON, date(2026, 12, 18)),  # the Friday of next week
        ("next Monday", SAT, date(2026, 12, 7)),  # Monday is already next week
        ("open on sat?", MON, date(2026, 12, 12)),
        ("are you open on dec 25 at riverside", SAT, date(2026, 12, 25)),
        ("December 25th", SAT, date(2026, 12, 25)),
        ("25 december", SAT, date(2026, 12, 25)),
        ("the 25th of Dec", SAT, date(2026, 12, 25)),
        ("12/25", SAT, date(2026, 12, 25)),
        ("12/25/2026", SAT, date(2026, 12, 25)),
        ("2027-03-28", SAT, date(2027, 3, 28)),
        ("the 25th", SAT, date(2026, 12, 25)),
        ("the 3rd", SAT, date(2027, 1, 3)),  # this month's 3rd is past
        ("Friday the 25th", SAT, date(2026, 12, 25)),
        ("Monday the 25th", SAT, date(2027, 1, 25)),
        ("Jan 1st", SAT, date(2027, 1, 1)),
        ("january 1", SAT, date(2027, 1, 1)),
        ("dec 1", SAT, date(2027, 12, 1)),  # a date without a year: the next one
        ("Is Northgate open on New Year's Day?", SAT, date(2027, 1, 1)),
        ("new years eve hours", SAT, date(2026, 12, 31)),
        ("christmas eve", SAT, date(2026, 12, 24)),
        ("xmas", SAT, date(2026, 12, 25)),
        ("the day after christmas", SAT, date(2026, 12, 26)),
        ("thanksgiving", SAT, date(2027, 11, 25)),
        ("easter", SAT, date(2027, 3, 28)),
        ("good friday", SAT, date(2027, 3, 26)),
        ("memorial day", SAT, date(2027, 5, 31)),
        ("July 4th", SAT, date(2027, 7, 4)),
        ("the fourth of july", SAT, date(2027, 7, 4)),
        ("labor day", SAT, date(2027, 9, 6)),
    ],
)
def test_the_day_asked(text: str, today: date, expected: date) -> None:
    asked = parse_day(text, today)
    assert asked is not None, text
    assert asked.days == (expected,)


def test_now_and_tonight_are_today_flagged() -> None:
    now = parse_day("are you open right now?", SAT)
    tonight = parse_day("how late are you open tonight", SAT)
    assert now is not None
    assert now.days == (SAT,)
    assert now.now
    assert not now.tonight
    assert tonight is not None
    assert tonight.days == (SAT,)
    assert tonight.tonight


def test_a_weekend_is_its_two_days_and_on_a_sunday_what_is_left() -> None:
    weekend = parse_day("open this weekend?", MON)
    assert weekend is not None
    assert weekend.days == (date(2026, 12, 12), date(2026, 12, 13))
    sunday = parse_day("this weekend", date(2026, 12, 6))
    assert sunday is not None
    assert sunday.days == (date(2026, 12, 6),)


def test_plural_weekday_is_the_weekday_in_general() -> None:
    asked = parse_day("are you open sundays?", SAT)
    assert asked is not None
    assert asked.regular
    assert asked.days == (date(2026, 12, 6),)
    single = parse_day("are you open on sunday?", SAT)
    assert single is not None
    assert not single.regular


def test_the_day_after_leans_on_the_previous_day_only_when_there_is_one() -> None:
    christmas = date(2026, 12, 25)
    asked = parse_day("and the day after?", SAT, after=christmas)
    assert asked is not None
    assert asked.days == (date(2026, 12, 26),)
    assert parse_day("and the day after?", SAT) is None


@pytest.mark.parametrize(
    "text",
    [
        "what are your hours",
        "do you have 3/4 inch plywood",
        "I sat on the bench",
        "we need 2/3 of a gallon",
        "may I return a drill",
        "the sun is out",
    ],
)
def test_no_day_is_read_into_ordinary_words(text: str) -> None:
    assert parse_day(text, SAT) is None


def test_an_impossible_date_is_no_day() -> None:
    assert parse_day("feb 30", SAT) is None
    assert parse_day("13/25", SAT) is None


def test_holidays_are_named_and_found_from_today() -> None:
    assert holiday_name(date(2026, 11, 26)) == "Thanksgiving Day"
    assert holiday_name(date(2027, 3, 28)) == "Easter Sunday"
    assert holiday_name(date(2026, 12, 8)) is None
    assert next_holiday("Christmas Day", date(2026, 12, 25)) == date(2026, 12, 25)
    assert next_holiday("Christmas Day", date(2026, 12, 26)) == date(2027, 12, 25)


def test_without_days_leaves_the_rest() -> None:
    assert without_days("and tomorrow?").split() == ["and", "?"]
    assert "parking" in without_days("and parking on sunday?")

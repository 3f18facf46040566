"""US holidays by name: which date a name means in a year, and a date's holiday name. Pure.

Computed, not fetched: fixed dates, "the nth weekday of a month" rules
(dateutil.relativedelta) and Easter (dateutil.easter). No network at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.easter import easter  # type: ignore[import-untyped]
from dateutil.relativedelta import MO, SU, TH, relativedelta  # type: ignore[import-untyped]


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _shifted(year: int, month: int, **how: Any) -> date:
    found: date = date(year, month, 1) + relativedelta(**how)
    return found


def _nth(month: int, weekday: Any, n: int) -> Callable[[int], date]:
    # relativedelta(day=1, weekday=MO(+2)): the second Monday on or after the 1st.
    return lambda year: _shifted(year, month, day=1, weekday=weekday(n))


def _last(month: int, weekday: Any) -> Callable[[int], date]:
    return lambda year: _shifted(year, month, day=31, weekday=weekday(-1))


def _thanksgiving(year: int) -> date:
    return _shifted(year, 11, day=1, weekday=TH(4))


def _easter(year: int) -> date:
    found: date = easter(year)
    return found


# Display name -> the date in a year.
HOLIDAYS: dict[str, Callable[[int], date]] = {
    "New Year's Day": _fixed(1, 1),
    "Martin Luther King Jr. Day": _nth(1, MO, 3),
    "Valentine's Day": _fixed(2, 14),
    "Presidents' Day": _nth(2, MO, 3),
    "St. Patrick's Day": _fixed(3, 17),
    "Good Friday": lambda year: _easter(year) - timedelta(days=2),
    "Easter Sunday": _easter,
    "Easter Monday": lambda year: _easter(year) + timedelta(days=1),
    "Mother's Day": _nth(5, SU, 2),
    "Memorial Day": _last(5, MO),
    "Father's Day": _nth(6, SU, 3),
    "Juneteenth": _fixed(6, 19),
    "Independence Day": _fixed(7, 4),
    "Labor Day": _nth(9, MO, 1),
    "Columbus Day": _nth(10, MO, 2),
    "Halloween": _fixed(10, 31),
    "Veterans Day": _fixed(11, 11),
    "Thanksgiving Day": _thanksgiving,
    "Black Friday": lambda year: _thanksgiving(year) + timedelta(days=1),
    "Christmas Eve": _fixed(12, 24),
    "Christmas Day": _fixed(12, 25),
    "Boxing Day": _fixed(12, 26),
    "New Year's Eve": _fixed(12, 31),
}

_APOS = r"(?:'|’)?s?"
# How customers write each holiday (lower case, apostrophes optional); longest first, so
# "christmas eve" is not read as "christmas".
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Christmas Eve": (r"christmas\s+eve", r"xmas\s+eve", r"x-mas\s+eve"),
    "New Year's Eve": (rf"new\s+year{_APOS}\s+eve", r"nye"),
    "New Year's Day": (rf"new\s+year{_APOS}(?:\s+day)?", r"new\s+years"),
    "Christmas Day": (r"christmas(?:\s+day)?", r"xmas(?:\s+day)?", r"x-mas"),
    "Boxing Day": (r"boxing\s+day",),
    "Thanksgiving Day": (r"thanksgiving(?:\s+day)?", r"turkey\s+day"),
    "Black Friday": (r"black\s+friday",),
    "Good Friday": (r"good\s+friday",),
    "Easter Monday": (r"easter\s+monday",),
    "Easter Sunday": (r"easter(?:\s+sunday)?",),
    "Memorial Day": (r"memorial\s+day",),
    "Independence Day": (
        r"independence\s+day",
        r"(?:the\s+)?(?:4th|fourth)\s+of\s+july",
        r"july\s+(?:4th|fourth|4)",
    ),
    "Labor Day": (r"labou?r\s+day",),
    "Martin Luther King Jr. Day": (
        r"mlk(?:\s+jr\.?)?\s+day",
        r"martin\s+luther\s+king(?:\s+jr\.?)?(?:\s+day)?",
    ),
    "Presidents' Day": (rf"president{_APOS}\s+day",),
    "Valentine's Day": (rf"valentine{_APOS}(?:\s+day)?",),
    "St. Patrick's Day": (
        rf"(?:st\.?|saint)\s+patrick{_APOS}(?:\s+day)?",
        r"st\.?\s+paddy{_APOS}(?:\s+day)?",
    ),
    "Mother's Day": (rf"mother{_APOS}\s+day",),
    "Father's Day": (rf"father{_APOS}\s+day",),
    "Juneteenth": (r"juneteenth",),
    "Columbus Day": (r"columbus\s+day", rf"indigenous\s+people{_APOS}\s+day"),
    "Halloween": (r"hallowe?'?en",),
    "Veterans Day": (rf"veteran{_APOS}\s+day",),
}
HOLIDAY_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(
        f"(?P<h{i}>{'|'.join(spellings)})" for i, spellings in enumerate(_SPELLINGS.values())
    )
    + r")\b"
)
_BY_GROUP = {f"h{i}": name for i, name in enumerate(_SPELLINGS)}


def holiday_in(match: re.Match[str]) -> str:
    """The holiday a match of ``HOLIDAY_PATTERN`` names."""
    group = match.lastgroup
    assert group is not None  # every alternative is a named group
    return _BY_GROUP[group]


def next_holiday(name: str, today: date) -> date:
    """The holiday's next date on or after ``today``."""
    rule = HOLIDAYS[name]
    this_year = rule(today.year)
    return this_year if this_year >= today else rule(today.year + 1)


# Understood when a customer names them, but not how a Detroit store names the day.
_UNNAMED = frozenset({"Boxing Day"})


@lru_cache(maxsize=8)
def _year(year: int) -> dict[date, str]:
    return {rule(year): name for name, rule in HOLIDAYS.items() if name not in _UNNAMED}


def holiday_name(day: date) -> str | None:
    """The holiday on ``day``, if any."""
    return _year(day.year).get(day)

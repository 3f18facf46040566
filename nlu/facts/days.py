"""The day a message asks about: "tomorrow", "on Sunday", "dec 25", "Christmas Eve". Pure.

``parse_day(text, today)`` reads the day (or days: "this weekend") a customer means, from
``today`` in the business's timezone. A date without a year is the next such date on or
after today; "this Friday" is the coming one (today, if today is Friday); "next Monday"
is the Monday of next week; "the 25th" the next 25th. "now" and "tonight" are today,
flagged, so the answer can speak of the current time. ``after`` is the day the previous
question was about, for "and the day after?". Regular expressions are compiled once; a
message costs a few scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from nlu.facts.holidays import HOLIDAY_PATTERN, holiday_in, next_holiday

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<{g}>(?:19|20)\d\d))?"
_WEEKDAY_NAMES = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues?|weds|thurs?|fri"
_WEEKDAY_ABBREV = r"mon|wed|sat|sun"  # only after "on", "this" or "next": "I sat", "the sun"
_WEEKDAY_INDEX = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}
_DATED = frozenset({"ordinal", "month_day", "day_month", "numeric", "iso"})  # a weekday narrows

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("holiday", HOLIDAY_PATTERN.pattern),
        ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
        (
            "month_day",
            rf"\b{_MONTH.format(g='m')}\s+(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}\b{_YEAR.format(g='y')}",
        ),
        (
            "day_month",
            rf"\b(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH.format(g='m')}(?![a-z])"
            rf"{_YEAR.format(g='y')}",
        ),
        # 12/25 or 12/25/2026 (US order); not a fraction ("3/4 inch").
        (
            "numeric",
            r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?(?![\d/])"
            r"(?!\s*(?:\"|''|in\b|inch|ft\b|feet|foot|mm\b|cm\b|x\b|of\b|gal|lb|oz|yard|cup))",
        ),
        ("ordinal", r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b"),
        ("after_tomorrow", r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw?|tmr)\b"),
        ("tomorrow", r"\b(?:tomorrow|tomorow|tommorow|tommorrow|tmrw?|tmr|2morrow|2moro)\b"),
        ("tonight", r"\b(?:tonight|tonite|this\s+evening|later\s+today)\b"),
        ("today", r"\b(?:today|todays|this\s+morning|this\s+afternoon)\b"),
        (
            "now",
            r"\b(?:right\s+now|now|at\s+the\s+moment|currently|at\s+this\s+hour|still\s+open"
            r"|open\s+yet)\b",
        ),
        ("weekend", r"\b(?:(?P<w>this|next|the|coming)\s+)?weekend\b"),
        (
            "weekday",
            r"\b(?:(?P<w>this\s+coming|this|next|coming|on)\s+)?(?:"
            rf"(?P<n>{_WEEKDAY_NAMES})(?P<s>s)?\b|(?<=on |is |xt )(?P<a>{_WEEKDAY_ABBREV})\b)",
        ),
        (
            "shift",
            r"\b(?:the\s+)?(?:(?P<v>day\s+after|next\s+day|following\s+day|day\s+before)"
            r"(?:\s+that)?)\b",
        ),
    )
)


@dataclass(frozen=True)
class DayAsked:
    days: tuple[date, ...]  # the day asked, or a weekend's days, in order
    now: bool = False  # "are you open now?": answer from the current time
    tonight: bool = False  # "how late tonight?": today, from the current time
    regular: bool = False  # "on Sundays": that weekday in general, not one date

    @property
    def day(self) -> date:
        return self.days[0]


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str
    match: re.Match[str]


def _in_year(today: date, month: int, day: int, year: int | None) -> date | None:
    """The date, with the next such date on or after today when no year is written."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None  # "feb 30", "13/25"


def _day_of_month(today: date, day: int, weekday: int | None) -> date | None:
    """The next date with this day of the month (on a given weekday, when one is named)."""
    year, month = today.year, today.month
    for _ in range(60):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today and weekday in (None, found.weekday()):
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _weekday(today: date, index: int, which: str | None) -> date:
    ahead = (index - today.weekday()) % 7
    found = today + timedelta(days=ahead)
    if which == "next" and found.isocalendar()[:2] == today.isocalendar()[:2]:
        found += timedelta(days=7)  # "next Monday": the Monday of next week
    return found


def _weekday_index(name: str) -> int:
    return _WEEKDAY_INDEX[name[:2]]


def _scan(text: str) -> list[_Found]:
    found = [
        _Found(m.start(), m.end(), kind, m)
        for kind, pattern in _PATTERNS
        for m in pattern.finditer(text)
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[_Found] = []
    for f in found:  # the longest reading of each stretch of text wins
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def _date_of(f: _Found, today: date, weekday: int | None) -> date | None:
    m = f.match
    if f.kind == "holiday":
        return next_holiday(holiday_in(m), today)
    if f.kind == "iso":
        return _in_year(today, int(m["m"]), int(m["d"]), int(m["y"]))
    if f.kind in ("month_day", "day_month"):
        year = int(m["y"]) if m["y"] else None
        return _in_year(today, _MONTHS[m["m"][:3]], int(m["d"]), year)
    if f.kind == "numeric":
        return _in_year(today, int(m["m"]), int(m["d"]), int(m["y"]) if m["y"] else None)
    if f.kind == "ordinal":
        return _day_of_month(today, int(m["d"]), weekday)
    return None


def without_days(text: str) -> str:
    """The message with every day expression taken out (for spotting "and tomorrow?")."""
    text = normalize(text)
    for f in reversed(_scan(text)):
        text = text[: f.start] + " " + text[f.end :]
    return text


def normalize(text: str) -> str:
    return text.casefold().replace("’", "'").replace("‘", "'")


def _days_of(f: _Found, today: date, weekday: int | None) -> list[date]:
    """The day(s) one expression names; ``weekday`` narrows a date ("Friday the 25th")."""
    m = f.match
    if f.kind == "weekday":
        return [_weekday(today, _weekday_index(m["n"] or m["a"]), m["w"])]
    if f.kind == "weekend":
        if today.weekday() == 6 and m["w"] != "next":
            return [today]  # on a Sunday, "this weekend" is what is left of it
        saturday = _weekday(today, 5, m["w"])
        return [saturday, saturday + timedelta(days=1)]
    if f.kind in ("today", "now", "tonight"):
        return [today]
    if f.kind in ("tomorrow", "after_tomorrow"):
        return [today + timedelta(days=1 if f.kind == "tomorrow" else 2)]
    day = _date_of(f, today, weekday)
    return [] if day is None else [day]


def _touch(first: _Found | None, second: _Found | None) -> bool:
    """Two expressions read as one: "Friday the 25th", "the day after Christmas"."""
    return first is not None and second is not None and second.start - first.end <= 6


def parse_day(text: str, today: date, *, after: date | None = None) -> DayAsked | None:
    """The day(s) the message asks about; None when it names none."""
    found = _scan(normalize(text))
    days: list[date] = []
    shift = 0  # "the day after/before" the next expression
    for i, f in enumerate(found):
        prev = found[i - 1] if i else None
        nxt = found[i + 1] if i + 1 < len(found) else None
        if f.kind == "shift":
            step = -1 if f.match["v"].startswith("day before") else 1
            if _touch(f, nxt):
                shift = step
            elif after is not None:  # "and the day after?": the previous question's day
                days.append(after + timedelta(days=step))
            continue
        if f.kind == "weekday" and _touch(f, nxt) and nxt is not None and nxt.kind in _DATED:
            continue  # the date after it says which one; the weekday only narrows it
        weekday = None
        if prev is not None and prev.kind == "weekday" and _touch(prev, f):
            weekday = _weekday_index(prev.match["n"] or prev.match["a"])
        days += [d + timedelta(days=shift) for d in _days_of(f, today, weekday)]
        shift = 0
    unique = tuple(sorted(set(days)))
    if not unique:
        return None
    kinds = {f.kind for f in found}
    regular = any(
        f.kind == "weekday" and f.match["s"] and f.match["w"] in (None, "on") for f in found
    )  # "on Sundays": Sundays in general
    return DayAsked(
        unique[:7],
        now="now" in kinds,
        tonight="tonight" in kinds,
        regular=regular and len(unique) == 1,
    )

"""The values inside `/tandem` commands: durations, end times, intents. Pure.

Every problem is a ``UsageError`` whose text tells the person what to type instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from nlu.facts.answers import FACTUAL_INTENTS

MAX_PAUSE = timedelta(days=7)
MAX_NOTICE_AHEAD = timedelta(days=90)

_DURATION = re.compile(r"^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


class UsageError(ValueError):
    """What was wrong with the command, in words for the person who typed it."""


def duration(text: str) -> int:
    """`30m`, `2h`, `1h30m`, `1d` → seconds."""
    match = _DURATION.match(text.lower())
    if not text or match is None:
        raise UsageError(f"Bad duration `{shown(text)}`: write it like 30m, 2h or 1h30m.")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes)
    if not timedelta(minutes=1) <= length <= MAX_PAUSE:
        raise UsageError("A pause lasts from 1 minute to 7 days.")
    return int(length.total_seconds())


def until(parts: list[str], now: datetime) -> datetime:
    """`18:00` (today) or `2026-12-01 18:00`, in `now`'s timezone (the stores')."""
    if len(parts) == 1:
        day, at = now.date(), parts[0]
    elif len(parts) == 2:
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise UsageError(f"Bad date `{shown(parts[0])}`: write it as YYYY-MM-DD.") from None
        at = parts[1]
    else:
        raise UsageError("Write the end as `until 18:00` or `until 2026-12-01 18:00`.")
    ends = datetime.combine(day, clock(at), tzinfo=now.tzinfo)
    if ends <= now:
        raise UsageError(f"{ends:%Y-%m-%d %H:%M} has already passed; give a later time.")
    if ends - now > MAX_NOTICE_AHEAD:
        raise UsageError("A notice from Slack can last at most 90 days; use data/notices.yml.")
    return ends


def clock(text: str) -> time:
    """`18:00`, `6pm`, `6:30pm`; a bare hour is ambiguous and refused."""
    match = _CLOCK.match(text.lower())
    if match is not None:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if half and not 1 <= hour <= 12:
            raise UsageError(f"Bad time `{shown(text)}`: with am or pm, the hour is 1 to 12.")
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0)
        if (match.group(2) or half) and hour < 24 and minute < 60:
            return time(hour, minute)
    raise UsageError(f"Bad time `{shown(text)}`: write it like 18:00 or 6pm (store time).")


def intents(parts: list[str]) -> tuple[str, ...]:
    names = [n for part in parts for n in part.lower().split(",") if n]
    if not names:
        raise UsageError("List the questions after `intents`, e.g. `intents hours,pickup`.")
    chosen = []
    for name in names:
        intent = name if name.startswith("ask_") else f"ask_{name}"
        if intent not in FACTUAL_INTENTS:
            known = ", ".join(i.removeprefix("ask_") for i in FACTUAL_INTENTS)
            raise UsageError(f"Unknown intent `{shown(name)}`: use {known}.")
        chosen.append(intent)
    return tuple(dict.fromkeys(chosen))


def shown(text: str) -> str:
    """User input echoed back inside `code`: no backticks, no Slack control characters."""
    cleaned = "".join(c for c in text if c.isprintable() and c not in "`<>&*_~")
    return cleaned[:40] or "?"

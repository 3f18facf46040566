"""Parsing `/tandem …` from Slack into a command, or a usage error that says what to fix. Pure.

Slack sends the text after the command with ``&``, ``<`` and ``>`` escaped, and Slack
clients often turn straight quotes into curly ones; both are undone first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nlu.answer_models import FACTUAL_INTENTS

ALL = "all"
MAX_INPUT = 1000
MAX_PAUSE = timedelta(days=7)
MAX_NOTICE_AHEAD = timedelta(days=90)
MAX_REASON = 200
MAX_NOTICE_TEXT = 500
MAX_NOTE = 300

HELP = """*Tandem commands*
• `/tandem pause <store|all> <duration> "<why>"`: every new message goes to a person, \
e.g. `/tandem pause riverside 2h "flooding"` (supervisors)
• `/tandem resume [store|all]`: the bot answers again (supervisors)
• `/tandem notice <store|all> "<text>" until <HH:MM | YYYY-MM-DD HH:MM> [intents hours,pickup]`: \
a notice the bot gives instead of its usual answer, store-local time (supervisors)
• `/tandem notices`: the notices in force
• `/tandem notice remove <id>`: end a notice posted from Slack (supervisors)
• `/tandem note <conversation id> <text>`: add a note to that customer's profile; the id is \
on the card, e.g. `c12`
• `/tandem help`: this list"""


class UsageError(ValueError):
    """What was wrong with the command, in words for the person who typed it."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Pause:
    scope: str  # a store id or "all"
    seconds: int
    why: str


@dataclass(frozen=True)
class Resume:
    scope: str  # a store id or "all" (every pause)


@dataclass(frozen=True)
class AddNotice:
    scope: str
    text: str
    ends: datetime  # store-local, aware
    intents: tuple[str, ...]


@dataclass(frozen=True)
class RemoveNotice:
    notice_id: str


@dataclass(frozen=True)
class ListNotices:
    pass


@dataclass(frozen=True)
class AddNote:
    conversation_id: str
    text: str


Command = Help | Pause | Resume | AddNotice | RemoveNotice | ListNotices | AddNote
StoreResolver = Callable[[str], str | None]  # a name or alias → store id, None if unknown

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_DURATION = re.compile(r"^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_CONVERSATION = re.compile(r"^c\d{1,12}$")
_NOTICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool


def parse(text: str, *, stores: StoreResolver, store_ids: tuple[str, ...], now: datetime) -> Command:
    """`now` is store-local and aware; times in the command are read in its timezone."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").translate(_QUOTES)
    if len(text) > MAX_INPUT:
        raise UsageError(f"That is too long ({len(text)} characters, at most {MAX_INPUT}).")
    head, _, rest = text.strip().partition(" ")
    verb = head.lower()
    if verb in ("", "help"):
        return Help()
    if verb == "note":
        return _note(rest)
    tokens = _tokens(rest)
    scope = _Scope(stores, store_ids)
    if verb == "pause":
        return _pause(tokens, scope)
    if verb == "resume":
        if len(tokens) > 1:
            raise UsageError("Usage: `/tandem resume [store|all]`")
        return Resume(scope(tokens[0]) if tokens else ALL)
    if verb == "notices":
        if tokens:
            raise UsageError("Usage: `/tandem notices` (nothing after it)")
        return ListNotices()
    if verb == "notice":
        if tokens and not tokens[0].quoted and tokens[0].text.lower() == "remove":
            return _remove(tokens[1:])
        return _notice(tokens, scope, now)
    raise UsageError(f"Unknown command `{_shown(head)}`. Try `/tandem help`.")


class _Scope:
    def __init__(self, stores: StoreResolver, store_ids: tuple[str, ...]) -> None:
        self.stores = stores
        self.known = ", ".join(store_ids)

    def __call__(self, token: _Token) -> str:
        if not token.quoted and token.text.lower() == ALL:
            return ALL
        store = self.stores(token.text)
        if store is None:
            raise UsageError(f"Unknown store `{_shown(token.text)}`: use {self.known} or all.")
        return store


def _tokens(text: str) -> list[_Token]:
    if text.count('"') % 2:
        raise UsageError('Unbalanced quotes: put the text in a pair of double quotes, "like this".')
    tokens = []
    for match in _TOKEN.finditer(text):
        quoted = match.group(1) is not None
        value = match.group(1) if quoted else match.group(2)
        if not quoted and '"' in value:
            raise UsageError('Quotes must go around the whole text, "like this".')
        tokens.append(_Token(value.strip(), quoted))
    return tokens


def _quoted(tokens: list[_Token], what: str, limit: int, usage: str) -> str:
    if not tokens or not tokens[0].quoted:
        raise UsageError(f'Put the {what} in double quotes. Usage: {usage}')
    value = " ".join(tokens[0].text.split())
    if not value:
        raise UsageError(f"The {what} is empty. Usage: {usage}")
    if len(value) > limit:
        raise UsageError(f"The {what} is too long ({len(value)} characters, at most {limit}).")
    return value


def duration(text: str) -> int:
    """`30m`, `2h`, `1h30m`, `1d` → seconds."""
    match = _DURATION.match(text.lower())
    if not text or match is None:
        raise UsageError(f"Bad duration `{_shown(text)}`: write it like 30m, 2h or 1h30m.")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes)
    if not timedelta(minutes=1) <= length <= MAX_PAUSE:
        raise UsageError("A pause lasts from 1 minute to 7 days.")
    return int(length.total_seconds())


_PAUSE_USAGE = '`/tandem pause <store|all> <duration> "<why>"`, e.g. `/tandem pause riverside 2h "flooding"`'


def _pause(tokens: list[_Token], scope: _Scope) -> Pause:
    if len(tokens) != 3:
        raise UsageError(f"Usage: {_PAUSE_USAGE}")
    return Pause(
        scope(tokens[0]), duration(tokens[1].text), _quoted(tokens[2:], "reason", MAX_REASON, _PAUSE_USAGE)
    )


_NOTICE_USAGE = (
    '`/tandem notice <store|all> "<text>" until <HH:MM | YYYY-MM-DD HH:MM> [intents hours,pickup]`'
)


def _notice(tokens: list[_Token], scope: _Scope, now: datetime) -> AddNotice:
    if len(tokens) < 4:
        raise UsageError(f"Usage: {_NOTICE_USAGE}")
    where = scope(tokens[0])
    text = _quoted(tokens[1:], "notice", MAX_NOTICE_TEXT, _NOTICE_USAGE)
    if tokens[2].quoted or tokens[2].text.lower() != "until":
        raise UsageError(f"Say when it ends with `until`. Usage: {_NOTICE_USAGE}")
    rest = [t.text for t in tokens[3:]]
    words = [w.lower() for w in rest]
    cut = words.index("intents") if "intents" in words else len(rest)
    ends = _until(rest[:cut], now)
    intents = _intents(rest[cut + 1 :]) if cut < len(rest) else (ALL,)
    return AddNotice(where, text, ends, intents)


def _until(parts: list[str], now: datetime) -> datetime:
    if len(parts) == 1:
        day, clock = now.date(), parts[0]
    elif len(parts) == 2:
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise UsageError(f"Bad date `{_shown(parts[0])}`: write it as YYYY-MM-DD.") from None
        clock = parts[1]
    else:
        raise UsageError("Write the end as `until 18:00` or `until 2026-12-01 18:00`.")
    ends = datetime.combine(day, _clock(clock), tzinfo=now.tzinfo)
    if ends <= now:
        raise UsageError(f"{ends:%Y-%m-%d %H:%M} has already passed; give a later time.")
    if ends - now > MAX_NOTICE_AHEAD:
        raise UsageError("A notice from Slack can last at most 90 days; use data/notices.yml.")
    return ends


def _clock(text: str) -> time:
    match = _CLOCK.match(text.lower())
    if match is not None:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if half and not 1 <= hour <= 12:
            raise UsageError(f"Bad time `{_shown(text)}`: with am or pm, the hour is 1 to 12.")
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0)
        if (match.group(2) or half) and hour < 24 and minute < 60:
            return time(hour, minute)
    raise UsageError(f"Bad time `{_shown(text)}`: write it like 18:00 or 6pm (store time).")


def _intents(parts: list[str]) -> tuple[str, ...]:
    names = [n for part in parts for n in part.lower().split(",") if n]
    if not names:
        raise UsageError("List the questions after `intents`, e.g. `intents hours,pickup`.")
    chosen = []
    for name in names:
        intent = name if name.startswith("ask_") else f"ask_{name}"
        if intent not in FACTUAL_INTENTS:
            known = ", ".join(i.removeprefix("ask_") for i in FACTUAL_INTENTS)
            raise UsageError(f"Unknown intent `{_shown(name)}`: use {known}.")
        chosen.append(intent)
    return tuple(dict.fromkeys(chosen))


def _remove(tokens: list[_Token]) -> RemoveNotice:
    if len(tokens) != 1 or not _NOTICE_ID.match(tokens[0].text):
        raise UsageError("Usage: `/tandem notice remove <id>` (the id from `/tandem notices`).")
    return RemoveNotice(tokens[0].text)


def _note(rest: str) -> AddNote:
    target, _, text = rest.strip().partition(" ")
    if not _CONVERSATION.match(target.lower()):
        raise UsageError(
            "Start with the conversation id shown on the card: "
            "`/tandem note c12 prefers morning deliveries`."
        )
    text = " ".join(text.split()).strip('"').strip()
    if not text:
        raise UsageError("The note is empty: `/tandem note c12 prefers morning deliveries`.")
    if len(text) > MAX_NOTE:
        raise UsageError(f"The note is too long ({len(text)} characters, at most {MAX_NOTE}).")
    return AddNote(target.lower(), text)


def _shown(text: str) -> str:
    """User input echoed back inside `code`: no backticks, no Slack control characters."""
    cleaned = "".join(c for c in text if c.isprintable() and c not in "`<>&*_~")
    return cleaned[:40] or "?"

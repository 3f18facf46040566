"""Parsing `/tandem …` from Slack into a command, or a usage error that says what to fix. Pure.

Slack sends the text after the command with ``&``, ``<`` and ``>`` escaped, and Slack
clients often turn straight quotes into curly ones; both are undone first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handoff.slack.command_values import UsageError as UsageError  # raised by parse, re-exported
from handoff.slack.command_values import duration as duration
from handoff.slack.command_values import intents, shown, until

ALL = "all"
MAX_INPUT = 1000
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
on the card, e.g. `c12`. Customers can read their notes with /profile
• `/tandem help`: this list"""


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
_CONVERSATION = re.compile(r"^c\d{1,12}$")
_NOTICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool


def parse(
    text: str, *, stores: StoreResolver, store_ids: tuple[str, ...], now: datetime
) -> Command:
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
    raise UsageError(f"Unknown command `{shown(head)}`. Try `/tandem help`.")


class _Scope:
    def __init__(self, stores: StoreResolver, store_ids: tuple[str, ...]) -> None:
        self.stores = stores
        self.known = ", ".join(store_ids)

    def __call__(self, token: _Token) -> str:
        if not token.quoted and token.text.lower() == ALL:
            return ALL
        store = self.stores(token.text)
        if store is None:
            raise UsageError(f"Unknown store `{shown(token.text)}`: use {self.known} or all.")
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
        raise UsageError(f"Put the {what} in double quotes. Usage: {usage}")
    value = " ".join(tokens[0].text.split())
    if not value:
        raise UsageError(f"The {what} is empty. Usage: {usage}")
    if len(value) > limit:
        raise UsageError(f"The {what} is too long ({len(value)} characters, at most {limit}).")
    return value


_PAUSE_USAGE = (
    '`/tandem pause <store|all> <duration> "<why>"`, e.g. `/tandem pause riverside 2h "flooding"`'
)


def _pause(tokens: list[_Token], scope: _Scope) -> Pause:
    if len(tokens) != 3:
        raise UsageError(f"Usage: {_PAUSE_USAGE}")
    why = _quoted(tokens[2:], "reason", MAX_REASON, _PAUSE_USAGE)
    return Pause(scope(tokens[0]), duration(tokens[1].text), why)


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
    ends = until(rest[:cut], now)
    chosen = intents(rest[cut + 1 :]) if cut < len(rest) else (ALL,)
    return AddNotice(where, text, ends, chosen)


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

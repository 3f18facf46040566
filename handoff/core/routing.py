"""Who should take a handed-off conversation. Pure policy: no I/O, `now` is passed in."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from nlu.facts.directory import Employee, EmployeeDirectory


def _matches(employee: Employee, key: str | None) -> bool:
    # Callers may track people by directory id or by Slack user id; accept either.
    return key is not None and key in (employee.id, employee.slack_user_id)


def _load(employee: Employee, open_counts: Mapping[str, int]) -> int:
    if employee.id in open_counts:
        return open_counts[employee.id]
    return open_counts.get(employee.slack_user_id, 0)


def speaks(employee: Employee, language: str) -> bool:
    """``language`` an ISO code as Telegram or the detector gives it ("es", "pt-br")."""
    return language.split("-")[0].lower() in employee.languages


def _pick(
    candidates: list[Employee], last_helper: str | None, open_counts: Mapping[str, int]
) -> Employee | None:
    for employee in candidates:
        if _matches(employee, last_helper):
            return employee
    # min() keeps the first of equal loads, and candidates are in directory order.
    return min(candidates, key=lambda e: _load(e, open_counts), default=None)


def _available(people: Iterable[Employee], exclude: Collection[str]) -> list[Employee]:
    return [e for e in people if e.id not in exclude and e.slack_user_id not in exclude]


def choose_employee(
    *,
    store_id: str,
    now: datetime,
    directory: EmployeeDirectory,
    last_helper: str | None,
    open_counts: Mapping[str, int],
    exclude: Collection[str] = (),
    language: str | None = None,
) -> Employee | None:
    """Pick someone on shift at the store, or None if nobody is.

    The customer's previous helper wins when available (continuity beats balance);
    otherwise the fewest open conversations, ties going to directory order.
    `last_helper`, `open_counts` keys and `exclude` may be employee ids or Slack ids.
    With a `language` other than English (the customer writes in it), someone on shift who
    speaks it comes first: at the store, else at any store (speaker_on_shift); only then
    the store's usual choice.
    """
    candidates = _available(directory.on_shift(store_id, now), exclude)
    if language and not language.startswith("en"):
        speakers = [e for e in candidates if speaks(e, language)]
        chosen = _pick(speakers, last_helper, open_counts) or speaker_on_shift(
            language,
            now=now,
            directory=directory,
            last_helper=last_helper,
            open_counts=open_counts,
            exclude=exclude,
        )
        if chosen is not None:
            return chosen
    return _pick(candidates, last_helper, open_counts)


def speaker_on_shift(
    language: str,
    *,
    now: datetime,
    directory: EmployeeDirectory,
    last_helper: str | None,
    open_counts: Mapping[str, int],
    exclude: Collection[str] = (),
) -> Employee | None:
    """Someone on shift at any store who speaks ``language``, chosen as choose_employee does."""
    working = {e.id for store in directory.stores.ids() for e in directory.on_shift(store, now)}
    # In directory order, which is the tie-break across stores too.
    speakers = [e for e in _available(directory, exclude) if e.id in working]
    return _pick([e for e in speakers if speaks(e, language)], last_helper, open_counts)

"""Who should take a handed-off conversation. Pure policy: no I/O, `now` is passed in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from nlu.facts.directory import Employee, EmployeeDirectory


def _matches(employee: Employee, key: str | None) -> bool:
    # Callers may track people by directory id or by Slack user id; accept either.
    return key is not None and key in (employee.id, employee.slack_user_id)


def _load(employee: Employee, open_counts: Mapping[str, int]) -> int:
    if employee.id in open_counts:
        return open_counts[employee.id]
    return open_counts.get(employee.slack_user_id, 0)


def choose_employee(
    *,
    store_id: str,
    now: datetime,
    directory: EmployeeDirectory,
    last_helper: str | None,
    open_counts: Mapping[str, int],
    exclude: Collection[str] = (),
) -> Employee | None:
    """Pick someone on shift at the store, or None if nobody is.

    The customer's previous helper wins when available (continuity beats balance);
    otherwise the fewest open conversations, ties going to directory order.
    `last_helper`, `open_counts` keys and `exclude` may be employee ids or Slack ids.
    """
    candidates = [
        e
        for e in directory.on_shift(store_id, now)
        if e.id not in exclude and e.slack_user_id not in exclude
    ]
    for employee in candidates:
        if _matches(employee, last_helper):
            return employee
    # min() keeps the first of equal loads, and candidates are in directory order.
    return min(candidates, key=lambda e: _load(e, open_counts), default=None)

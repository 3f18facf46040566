"""Opening hours for the day asked, in words: "On Friday, December 25 (Christmas Day)
Riverside is closed." Pure.

A day's hours come from stores.yml (weekly hours, closures, special hours) and from any
notice that covers opening hours during that day, however far ahead the day is. "Now"
and "tonight" are answered from the current time. Without a store, one short line per
store, or one sentence when they all agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nlu.facts.answer_models import Notice
from nlu.facts.datafile import TimeRange
from nlu.facts.days import DayAsked
from nlu.facts.holidays import holiday_name
from nlu.facts.stores import StoreDirectory, fmt_hours, fmt_time

HOURS_INTENT = "ask_hours"


@dataclass(frozen=True)
class DayHours:
    store_id: str
    day: date
    hours: TimeRange | None  # None: closed
    reason: str | None  # why the day differs from the week (a closure's, special hours')
    notice: Notice | None  # a notice covering opening hours on that day


def long_date(day: date) -> str:
    return f"{day:%A, %B} {day.day}"


def day_label(day: date, today: date) -> str:
    """'today (Saturday, December 5)', 'Friday, December 25 (Christmas Day)'."""
    holiday = holiday_name(day)
    name = long_date(day) + (f" ({holiday})" if holiday else "")
    if day == today:
        return f"today ({name})"
    if day == today + timedelta(days=1):
        return f"tomorrow ({name})"
    return f"on {name}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class DayHoursBook:
    """Hours on a given day, and the sentences that say them."""

    def __init__(self, stores: StoreDirectory) -> None:
        self.stores = stores

    def on(self, store_id: str, day: date, notices: Sequence[Notice]) -> DayHours:
        tz = self.stores.tz
        start = datetime.combine(day, time.min, tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
        covering = [
            n
            for n in notices
            if n.covers(HOURS_INTENT) and n.store in ("all", store_id)
            and n.starts < end and n.ends > start
        ]  # fmt: skip
        notice = max(covering, key=lambda n: (n.store != "all", n.starts), default=None)
        return DayHours(
            store_id,
            day,
            self.stores.hours_on(store_id, day),
            self.stores.reason_on(store_id, day),
            notice,
        )

    # --- one store ---------------------------------------------------------------------

    def _state(self, dh: DayHours, holiday: str | None) -> str:
        """'is closed', 'is closed for stocktaking', 'is open 7 am–4 pm (Christmas Eve)'."""
        why = dh.reason if dh.reason and dh.reason != holiday else None
        if dh.hours is None:
            return "is closed" + (f" for {why}" if why else "")
        return f"is open {fmt_hours(dh.hours)}" + (f" ({why})" if why else "")

    def _reopens(self, store_id: str, after_day: date) -> str:
        opening = self.stores.next_opening(
            store_id, datetime.combine(after_day, time.max, tzinfo=self.stores.tz)
        )
        return f"{long_date(opening.date())} at {fmt_time(opening.time())}"

    def store_day(self, store_id: str, day: date, today: date, notices: Sequence[Notice]) -> str:
        name = self.stores.get(store_id).name
        dh = self.on(store_id, day, notices)
        label = _cap(day_label(day, today))
        if dh.notice is not None:
            return f"{label}: {dh.notice.text}"
        text = f"{label} {name} {self._state(dh, holiday_name(day))}."
        if dh.hours is None:
            others = [
                self.stores.get(s).name
                for s in self.stores.ids()
                if s != store_id and self.on(s, day, notices).hours is None
            ]
            if others and len(others) == len(self.stores.ids()) - 1:
                text += f" {_names(others)} {'is' if len(others) == 1 else 'are'} closed too."
            text += f" {name} reopens {self._reopens(store_id, day)}."
        return text

    def store_regular(
        self, store_id: str, day: date, today: date, notices: Sequence[Notice]
    ) -> str:
        """'On Sundays Riverside is open 9 am–5 pm', and the next one if it differs."""
        name = self.stores.get(store_id).name
        weekly = self.stores.get(store_id).hours.on(day)
        text = (
            f"On {day:%A}s {name} is {'closed' if weekly is None else 'open ' + fmt_hours(weekly)}."
        )
        dh = self.on(store_id, day, notices)
        if dh.hours != weekly or dh.notice is not None:
            text += " Please note: " + self.store_day(store_id, day, today, notices)
        return text

    def store_now(
        self, store_id: str, now: datetime, notices: Sequence[Notice], *, tonight: bool
    ) -> str:
        local = self.stores.local(now)
        today = local.date()
        name = self.stores.get(store_id).name
        dh = self.on(store_id, today, notices)
        if dh.notice is not None and dh.notice.active(now):
            return dh.notice.text
        if dh.hours is not None and dh.hours.contains(local.time()):
            until = fmt_time(dh.hours.end)
            return (
                f"Tonight {name} is open until {until}."
                if tonight
                else f"Yes, {name} is open now, until {until} today."
            )
        opening = self.stores.next_opening(store_id, now)
        when = (
            f"today at {fmt_time(opening.time())}"
            if opening.date() == today
            else f"{day_label(opening.date(), today)} at {fmt_time(opening.time())}"
        )
        if dh.hours is not None and local.time() >= dh.hours.end:
            return f"{name} closed at {fmt_time(dh.hours.end)} today; it opens again {when}."
        why = f" for {dh.reason}" if dh.reason else ""
        lead = f"{name} is closed today{why}" if dh.hours is None else f"{name} is closed now"
        return f"{lead}; it opens {when}."

    # --- every store ---------------------------------------------------------------------

    def all_day(self, day: date, today: date, notices: Sequence[Notice]) -> str:
        label = _cap(day_label(day, today))
        holiday = holiday_name(day)
        found = [self.on(s, day, notices) for s in self.stores.ids()]
        states = {(self._state(d, holiday), d.notice) for d in found}
        if len(states) == 1 and found[0].notice is None:
            state = self._state(found[0], holiday)
            text = f"{label} all our stores {state.replace('is ', 'are ', 1)}."
            if found[0].hours is None:
                text += " " + self._all_reopen(day)
            return text
        lines = []
        for d in found:
            name = self.stores.get(d.store_id).name
            line = d.notice.text if d.notice is not None else self._state(d, holiday)[3:]
            lines.append(f"• {name}: {line}")
        return f"{label}:\n" + "\n".join(lines)

    def _all_reopen(self, day: date) -> str:
        by_time: dict[datetime, list[str]] = {}
        for sid in self.stores.ids():
            opening = self.stores.next_opening(
                sid, datetime.combine(day, time.max, tzinfo=self.stores.tz)
            )
            by_time.setdefault(opening, []).append(self.stores.get(sid).name)
        if len(by_time) == 1:
            (opening,) = by_time
            return f"We reopen {long_date(opening.date())} at {fmt_time(opening.time())}."
        parts = [
            f"{_names(names)} {long_date(at.date())} at {fmt_time(at.time())}"
            for at, names in sorted(by_time.items())
        ]
        return "We reopen: " + "; ".join(parts) + "."

    def all_now(self, now: datetime, notices: Sequence[Notice], *, tonight: bool) -> str:
        lines = (self.store_now(sid, now, notices, tonight=tonight) for sid in self.stores.ids())
        return "\n".join(f"• {line.removeprefix('Yes, ')}" for line in lines)

    # --- the answer ---------------------------------------------------------------------

    def answer(
        self, asked: DayAsked, store_id: str | None, now: datetime, notices: Sequence[Notice]
    ) -> str:
        today = self.stores.local(now).date()
        if asked.now or asked.tonight:
            if store_id is not None:
                return self.store_now(store_id, now, notices, tonight=asked.tonight)
            return self.all_now(now, notices, tonight=asked.tonight)
        if store_id is not None:
            if asked.regular:
                return self.store_regular(store_id, asked.day, today, notices)
            return " ".join(self.store_day(store_id, d, today, notices) for d in asked.days)
        return "\n".join(self.all_day(d, today, notices) for d in asked.days)

    # --- "what are your hours?": today's, then the week's -------------------------------

    def week(self, store_id: str, now: datetime) -> str:
        """'Mon–Fri 7 am–7 pm, Sun closed.', and closures in the next two weeks."""
        closures = "".join(
            f" Closed {c.date:%a, %b} {c.date.day} for {c.reason}."
            for c in self.stores.upcoming_closures(store_id, now)
        )
        return f"{self.stores.hours_text(store_id)}.{closures}"

    def week_fact(self, store_id: str, now: datetime, notices: Sequence[Notice]) -> str:
        return f"{self.today_line(store_id, now, notices)} Every week: {self.week(store_id, now)}"

    def week_line(self, store_id: str, now: datetime) -> str:
        """One store's line in an answer for every store: 'today 7 am–7 pm; Mon–Fri ...'."""
        today = fmt_hours(self.stores.hours_on(store_id, self.stores.local(now).date()))
        return f"today {today}; {self.week(store_id, now)}"

    def today_line(self, store_id: str, now: datetime, notices: Sequence[Notice]) -> str:
        """The lead of a weekly answer: today's hours."""
        today = self.stores.local(now).date()
        dh = self.on(store_id, today, notices)
        if dh.notice is not None:
            return dh.notice.text
        name = self.stores.get(store_id).name
        return f"Today ({long_date(today)}) {name} {self._state(dh, holiday_name(today))}."

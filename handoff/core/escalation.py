"""Who a pending conversation is offered to next, when nobody picks it up. Pure: no I/O.

The ladder, one rung per expiry (or pass):

    PERSON (each on-shift employee of the store in turn)
      └─► CHANNEL (everyone in the store's channel, with @here)
            └─► SUPERVISOR (the store's supervisor from stores.yml; no further expiry)
                  └─► END (offered to everyone, nobody is pinged again)

Nobody is escalated at night: when the store is closed, the offer goes to whoever is on
shift at the next opening and expires only after that opening.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from handoff.core.routing import choose_employee, speaker_on_shift
from handoff.core.state import Conversation, Status
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory


class Stage(StrEnum):
    PERSON = "person"
    CHANNEL = "channel"
    SUPERVISOR = "supervisor"
    END = "end"


@dataclass(frozen=True)
class Step:
    """The next offer: ``to`` is a Slack user id, or None for everyone in the channel."""

    to: str | None
    stage: Stage
    expires_at: float | None
    opens_at: datetime | None = None  # set when the store is closed and the offer waits


@dataclass(frozen=True)
class Team:
    """What the ladder needs to know about the business at one moment."""

    stores: StoreDirectory
    employees: EmployeeDirectory
    open_counts: Mapping[str, int]
    timeout: float


def current_stage(conv: Conversation) -> Stage:
    """The recorded stage; conversations stored before the ladder existed are inferred."""
    if conv.offer_stage:
        return Stage(conv.offer_stage)
    if conv.offered_to:
        return Stage.PERSON
    return Stage.CHANNEL if conv.expires_at is not None else Stage.END


def first_offer(
    store_id: str | None,
    *,
    now: datetime,
    team: Team,
    last_helper: str | None,
    language: str | None = None,
) -> Step:
    """Whom a new handoff is offered to: on shift now, or at the store's next opening.

    ``language``: the customer writes in it (not English), so someone who speaks it comes
    first (routing.choose_employee); later rungs are the store's usual ladder.
    """
    if language and (store_id is None or not team.stores.is_open(store_id, now)):
        # No store, or it is closed: someone on shift elsewhere who speaks it, now.
        speaker = speaker_on_shift(
            language,
            now=now,
            directory=team.employees,
            last_helper=last_helper,
            open_counts=team.open_counts,
        )
        if speaker is not None:
            return Step(speaker.slack_user_id, Stage.PERSON, now.timestamp() + team.timeout)
    if store_id is None:
        return Step(None, Stage.END, None)  # no store, so no rota and no supervisor
    return _person_or_channel(
        store_id, now=now, team=team, last_helper=last_helper, exclude=(), language=language
    )


def next_step(conv: Conversation, *, now: datetime, team: Team, passed_by: str | None) -> Step:
    """The rung after the current one; ``passed_by`` is who clicked Pass (None: expiry)."""
    store_id = conv.store_id
    if store_id is None or conv.status is not Status.PENDING:
        return Step(None, Stage.END, None)
    passers = {*conv.passed_by, *((passed_by,) if passed_by else ())}
    if not team.stores.is_open(store_id, now):
        return _person_or_channel(store_id, now=now, team=team, last_helper=None, exclude=passers)
    stage = current_stage(conv)
    if stage is Stage.PERSON:
        tried = {*passers, *conv.offered, *((conv.offered_to,) if conv.offered_to else ())}
        return _person_or_channel(store_id, now=now, team=team, last_helper=None, exclude=tried)
    if stage is Stage.CHANNEL:
        supervisor = team.employees.supervisor(store_id).slack_user_id
        if supervisor not in passers:
            return Step(supervisor, Stage.SUPERVISOR, None)
    return Step(None, Stage.END, None)


def _person_or_channel(
    store_id: str,
    *,
    now: datetime,
    team: Team,
    last_helper: str | None,
    exclude: set[str] | tuple[str, ...],
    language: str | None = None,
) -> Step:
    opens_at = None
    when = now
    if not team.stores.is_open(store_id, now):
        opens_at = team.stores.next_opening(store_id, now)
        when = opens_at
    employee = choose_employee(
        store_id=store_id,
        now=when,
        directory=team.employees,
        last_helper=last_helper,
        open_counts=team.open_counts,
        exclude=exclude,
        language=language,
    )
    expires_at = when.timestamp() + team.timeout
    if employee is None:
        return Step(None, Stage.CHANNEL, expires_at, opens_at)
    return Step(employee.slack_user_id, Stage.PERSON, expires_at, opens_at)


def begin(conv: Conversation, step: Step) -> Conversation:
    """A new handoff starts a fresh ladder: earlier offers and passes no longer count."""
    return replace(conv, offer_stage=step.stage.value, offered=(), passed_by=())


def advance(
    conv: Conversation, step: Step, *, previous: Conversation, passed_by: str | None
) -> Conversation:
    """Record the rung reached and who has been tried, after ``state.offer`` moved the offer."""
    offered = previous.offered
    if previous.offered_to and previous.offered_to not in offered:
        offered = (*offered, previous.offered_to)
    passers = conv.passed_by
    if passed_by and passed_by not in passers:  # a pass by anyone when offered to everyone
        passers = (*passers, passed_by)
    return replace(conv, offer_stage=step.stage.value, offered=offered, passed_by=passers)


def may_pass(conv: Conversation, user: str, employees: EmployeeDirectory) -> bool:
    """The person it is offered to may pass; when offered to everyone, any employee may."""
    if conv.status is not Status.PENDING or not employees.is_employee(user):
        return False
    return conv.offered_to is None or conv.offered_to == user


@dataclass(frozen=True)
class Announcement:
    """A thread post for a new rung: whom to ping (Slack ids, or "here") and what to say."""

    mentions: tuple[str, ...]
    text: str


def announcement(
    step: Step, *, names: Mapping[str, str], store_name: str | None, passer: str | None
) -> Announcement | None:
    """What the thread says when the offer moves; ``names`` maps Slack ids to first names."""
    before = "Nobody has picked this up yet."
    if passer:
        before = f"{names.get(passer, 'Someone')} passed."
    if step.opens_at is not None:
        when = step.opens_at.strftime("%a %H:%M")
        who = names.get(step.to, "the team") if step.to else "the team"
        return Announcement((), f"{before} The store is closed; offered to {who} at {when}.")
    if step.stage is Stage.PERSON and step.to:
        return Announcement((step.to,), f"{before} Offered to you now: please take over or pass.")
    if step.stage is Stage.CHANNEL:
        return Announcement(("here",), f"{before} Can anyone here take over?")
    if step.stage is Stage.SUPERVISOR and step.to:
        where = f" {store_name}" if store_name else ""
        text = f"{before} Escalated to you as the{where} supervisor."
        return Announcement((step.to,), text)
    if passer:
        return Announcement((), f"{before} Nobody is left to offer it to; anyone can take over.")
    return None


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)

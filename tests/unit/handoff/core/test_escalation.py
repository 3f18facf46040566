"""The escalation ladder (handoff.core.escalation) on the real stores and rota in data/."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handoff.core.escalation import (
    Stage,
    Step,
    Team,
    advance,
    announcement,
    begin,
    current_stage,
    first_offer,
    may_pass,
    next_step,
)
from handoff.core.state import Conversation, Status, offer
from nlu.facts.directory import Employee, EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
TUESDAY_11 = datetime(2026, 11, 24, 11, 0, tzinfo=DET)  # Downtown: Maria and Darnell on shift
MARIA, DARNELL, MEI = "U0MARIA01", "U0DARNELL1", "U0MEILIN01"  # Maria is the supervisor
TIMEOUT = 120.0


@pytest.fixture(scope="module")
def stores() -> StoreDirectory:
    return StoreDirectory.load(DATA / "stores.yml")


@pytest.fixture(scope="module")
def team(stores: StoreDirectory) -> Team:
    employees = EmployeeDirectory.load(DATA / "employees.yml", stores)
    return Team(stores, employees, {}, TIMEOUT)


def pending(**changes: object) -> Conversation:
    conv = Conversation(
        id="c1",
        chat_id="1",
        status=Status.PENDING,
        opened_at=TUESDAY_11.timestamp(),
        store_id="downtown",
        offered_to=MARIA,
        expires_at=TUESDAY_11.timestamp(),
        offer_stage="person",
    )
    return replace(conv, **changes)  # type: ignore[arg-type]


def climb(
    conv: Conversation, team: Team, now: datetime, passer: str | None = None
) -> tuple[Conversation, Step]:
    """One rung, as handoff.flows.offers does it: state.offer, then the ladder's bookkeeping."""
    step = next_step(conv, now=now, team=team, passed_by=passer)
    moved = offer(
        conv,
        to=step.to,
        expires_at=step.expires_at,
        now=now.timestamp(),
        reason="pass" if passer else "expired",
    )
    return advance(moved.conversation, step, previous=conv, passed_by=passer), step


def test_first_offer_goes_to_someone_on_shift_now(team: Team) -> None:
    step = first_offer("downtown", now=TUESDAY_11, team=team, last_helper=None)
    assert step == Step(MARIA, Stage.PERSON, TUESDAY_11.timestamp() + TIMEOUT)
    helped = first_offer("downtown", now=TUESDAY_11, team=team, last_helper="darnell-brooks")
    assert helped.to == DARNELL


def test_without_a_store_there_is_no_ladder(team: Team) -> None:
    assert first_offer(None, now=TUESDAY_11, team=team, last_helper=None).stage is Stage.END
    assert next_step(pending(store_id=None), now=TUESDAY_11, team=team, passed_by=None).stage is (
        Stage.END
    )


def test_expiry_climbs_next_person_then_channel_then_supervisor(team: Team) -> None:
    conv = pending()
    now = TUESDAY_11 + timedelta(minutes=2)
    conv, step = climb(conv, team, now)
    assert (step.to, step.stage) == (DARNELL, Stage.PERSON)
    assert step.expires_at == now.timestamp() + TIMEOUT
    assert conv.offered == (MARIA,)

    now += timedelta(minutes=2)
    conv, step = climb(conv, team, now)
    assert (step.to, step.stage) == (None, Stage.CHANNEL)
    assert step.expires_at == now.timestamp() + TIMEOUT
    assert conv.offered == (MARIA, DARNELL)

    now += timedelta(minutes=2)
    conv, step = climb(conv, team, now)
    # Maria was tried as a person, but the supervisor rung pings her as the supervisor.
    assert (step.to, step.stage, step.expires_at) == (MARIA, Stage.SUPERVISOR, None)
    assert current_stage(conv) is Stage.SUPERVISOR

    conv, step = climb(conv, team, now + timedelta(hours=1))
    assert step == Step(None, Stage.END, None)


def test_passes_are_excluded_and_a_supervisor_who_passed_is_skipped(team: Team) -> None:
    conv, step = climb(pending(), team, TUESDAY_11, passer=MARIA)
    assert step.to == DARNELL
    assert conv.passed_by == (MARIA,)
    conv, step = climb(conv, team, TUESDAY_11, passer=DARNELL)
    assert step.stage is Stage.CHANNEL
    assert conv.passed_by == (MARIA, DARNELL)
    conv, step = climb(conv, team, TUESDAY_11)
    assert step == Step(None, Stage.END, None)  # Maria, the supervisor, already passed


def test_a_pass_by_anyone_when_offered_to_everyone_is_recorded(team: Team) -> None:
    channel = pending(offered_to=None, offer_stage="channel", offered=(MARIA, DARNELL))
    conv, step = climb(channel, team, TUESDAY_11, passer=DARNELL)
    assert (step.to, step.stage) == (MARIA, Stage.SUPERVISOR)
    assert conv.passed_by == (DARNELL,)


def test_nobody_on_shift_goes_to_the_channel_then_the_supervisor(stores: StoreDirectory) -> None:
    maria = Employee.model_validate(
        {
            "id": "maria-gonzalez",
            "name": "Maria",
            "full_name": "Maria Gonzalez",
            "slack_user_id": MARIA,
            "store": "downtown",
            "role": "supervisor",
            "languages": ["en"],
            "shifts": {"mon": ["07:00-15:30"]},
        }
    )
    team = Team(stores, EmployeeDirectory((maria,), stores, Path("test")), {}, TIMEOUT)
    step = first_offer("downtown", now=TUESDAY_11, team=team, last_helper=None)
    assert step == Step(None, Stage.CHANNEL, TUESDAY_11.timestamp() + TIMEOUT)
    conv = begin(pending(offered_to=None, offer_stage=None), step)
    _, step = climb(conv, team, TUESDAY_11 + timedelta(minutes=2))
    assert (step.to, step.stage) == (MARIA, Stage.SUPERVISOR)


@pytest.mark.parametrize(
    ("now", "opens", "who"),
    [
        # Downtown is closed on Sundays: Monday 7 am, when Maria starts.
        (datetime(2026, 11, 29, 14, 0, tzinfo=DET), datetime(2026, 11, 30, 7, 0), MARIA),
        # After closing on Tuesday: Wednesday 7 am.
        (datetime(2026, 11, 24, 20, 30, tzinfo=DET), datetime(2026, 11, 25, 7, 0), MARIA),
        # Thanksgiving (a holiday closure): Friday 7 am, when Mei starts.
        (datetime(2026, 11, 26, 11, 0, tzinfo=DET), datetime(2026, 11, 27, 7, 0), MEI),
        # The night the clocks go forward (Sun 14 Mar 2027): Monday 7 am EDT.
        (datetime(2027, 3, 13, 20, 0, tzinfo=DET), datetime(2027, 3, 15, 7, 0), MARIA),
        # The night the clocks go back (Sun 1 Nov 2026): Monday 7 am EST.
        (datetime(2026, 10, 31, 19, 30, tzinfo=DET), datetime(2026, 11, 2, 7, 0), MARIA),
    ],
)
def test_out_of_hours_the_offer_waits_for_whoever_opens(
    team: Team, now: datetime, opens: datetime, who: str
) -> None:
    step = first_offer("downtown", now=now, team=team, last_helper=None)
    assert step.opens_at is not None
    assert step.opens_at.replace(tzinfo=None) == opens  # 7 am on the wall clock, whatever DST
    assert step.to == who
    assert step.stage is Stage.PERSON
    assert step.expires_at == opens.replace(tzinfo=DET).timestamp() + TIMEOUT


def test_an_offer_expiring_after_closing_waits_for_the_next_opening(team: Team) -> None:
    evening = datetime(2026, 11, 24, 19, 1, tzinfo=DET)
    conv, step = climb(pending(offered_to=DARNELL, offered=(MARIA,)), team, evening)
    assert step.opens_at == datetime(2026, 11, 25, 7, 0, tzinfo=DET)
    assert (step.to, step.stage) == (MARIA, Stage.PERSON)  # not @here at night
    assert conv.expires_at == step.opens_at.timestamp() + TIMEOUT


def test_stage_of_conversations_stored_before_the_ladder() -> None:
    assert current_stage(pending(offer_stage=None)) is Stage.PERSON
    assert current_stage(pending(offer_stage=None, offered_to=None)) is Stage.CHANNEL
    legacy = pending(offer_stage=None, offered_to=None, expires_at=None)
    assert current_stage(legacy) is Stage.END
    stored = legacy.to_dict()
    del stored["offer_stage"], stored["offered"]
    assert Conversation.from_dict(stored) == legacy
    laddered = pending(offered=(DARNELL,))
    assert Conversation.from_dict(laddered.to_dict()) == laddered


def test_who_may_pass(team: Team) -> None:
    assert may_pass(pending(), MARIA, team.employees)
    assert not may_pass(pending(), DARNELL, team.employees)
    assert may_pass(pending(offered_to=None), DARNELL, team.employees)
    assert not may_pass(pending(offered_to=None), "U0STRANGER", team.employees)
    assert not may_pass(pending(status=Status.HUMAN, owner=MARIA), MARIA, team.employees)


def test_begin_starts_a_fresh_ladder() -> None:
    old = pending(offered=(DARNELL,), passed_by=(DARNELL,), offer_stage="supervisor")
    fresh = begin(old, Step(MARIA, Stage.PERSON, 1.0))
    assert (fresh.offered, fresh.passed_by, fresh.offer_stage) == ((), (), "person")


def test_announcements_ping_the_right_people() -> None:
    names = {MARIA: "Maria", DARNELL: "Darnell"}
    channel = announcement(
        Step(None, Stage.CHANNEL, 1.0), names=names, store_name="Downtown", passer=None
    )
    assert channel is not None
    assert channel.mentions == ("here",)
    assert channel.text.startswith("Nobody has picked this up yet.")
    boss = announcement(
        Step(MARIA, Stage.SUPERVISOR, None), names=names, store_name="Downtown", passer=None
    )
    assert boss is not None
    assert boss.mentions == (MARIA,)
    assert "Downtown supervisor" in boss.text
    passed = announcement(
        Step(DARNELL, Stage.PERSON, 1.0), names=names, store_name="Downtown", passer=MARIA
    )
    assert passed is not None
    assert passed.mentions == (DARNELL,)
    assert passed.text.startswith("Maria passed.")
    later = Step(MARIA, Stage.PERSON, 1.0, datetime(2026, 11, 25, 7, 0, tzinfo=DET))
    night = announcement(later, names=names, store_name="Downtown", passer=None)
    assert night is not None
    assert night.mentions == ()  # nobody is pinged at night
    assert "Maria at Wed 07:00" in night.text

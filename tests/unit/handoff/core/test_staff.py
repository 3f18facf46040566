"""The staff rule (handoff.core.staff): who may do what, on the real directory in data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.core.staff import NOT_AUTHOR, Act, judge
from handoff.core.state import (
    Conversation,
    claim,
    hand_back,
    hand_off,
    open_conversation,
    resolve,
)
from nlu.facts.directory import Employee, EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
T0 = 1_764_000_000.0
AISHA, LUIS, OUTSIDER = "U0AISHA01", "U0LUIS01", "U0STRANGER1"  # Aisha supervises Riverside
NAMES = {AISHA: "Aisha", LUIS: "Luis"}


@pytest.fixture(scope="module")
def people() -> EmployeeDirectory:
    return EmployeeDirectory.load(DATA / "employees.yml", StoreDirectory.load(DATA / "stores.yml"))


def _pending(offered_to: str | None = None) -> Conversation:
    bot = open_conversation("c1", "42", T0)
    return hand_off(
        bot, reason="asked", offered_to=offered_to, expires_at=None, now=T0
    ).conversation


def _owned(owner: str = AISHA) -> Conversation:
    return claim(_pending(), employee=owner, now=T0 + 5).conversation


def _who(people: EmployeeDirectory, user: str) -> Employee | None:
    return people.by_slack_id(user)


def _reason(people: EmployeeDirectory, act: Act, user: str, conv: Conversation | None) -> str:
    refused = judge(act, _who(people, user), user, conv, name=NAMES.__getitem__)
    return refused.reason if refused else "allowed"


@pytest.mark.parametrize("act", list(Act))
def test_nobody_outside_the_directory_does_anything(people: EmployeeDirectory, act: Act) -> None:
    for conv in (_pending(), _owned(), None):
        refused = judge(act, None, OUTSIDER, conv)
        assert refused is not None
        assert refused.reason == "not_in_directory"
        assert "directory" in refused.text


def test_a_waiting_conversation_is_closed_only_by_listed_employees(
    people: EmployeeDirectory,
) -> None:
    for act in (Act.TAKE_OVER, Act.BACK_TO_BOT, Act.RESOLVE):
        assert _reason(people, act, LUIS, _pending()) == "allowed"
        assert _reason(people, act, OUTSIDER, _pending()) == "not_in_directory"


def test_an_owned_conversation_is_the_owners_to_hand_back_or_resolve(
    people: EmployeeDirectory,
) -> None:
    conv = _owned(AISHA)
    for act in (Act.BACK_TO_BOT, Act.RESOLVE, Act.REPLY, Act.SEND_HELD):
        assert _reason(people, act, AISHA, conv) == "allowed"
    refused = judge(Act.RESOLVE, _who(people, LUIS), LUIS, conv, name=NAMES.__getitem__)
    assert refused is not None
    assert refused.text == "Aisha has this conversation; only they can resolve it."
    taken = judge(Act.TAKE_OVER, _who(people, LUIS), LUIS, conv, name=NAMES.__getitem__)
    assert taken is not None
    assert taken.text == "Aisha has this conversation."
    assert _reason(people, Act.REPLY, LUIS, conv) == "not_owner"


def test_pass_is_for_the_person_offered_or_anyone_when_offered_to_everyone(
    people: EmployeeDirectory,
) -> None:
    assert _reason(people, Act.HAND_ON, AISHA, _pending(AISHA)) == "allowed"
    assert _reason(people, Act.HAND_ON, LUIS, _pending(AISHA)) == "not_offered"
    assert _reason(people, Act.HAND_ON, LUIS, _pending(None)) == "allowed"


def test_a_reply_reaches_the_customer_only_while_its_author_owns_the_conversation(
    people: EmployeeDirectory,
) -> None:
    back = hand_back(_owned(), by=AISHA, now=T0 + 9).conversation
    done = resolve(_owned(), by=AISHA, now=T0 + 9).conversation
    for conv in (_pending(), back, done):
        refused = judge(Act.REPLY, _who(people, AISHA), AISHA, conv, name=NAMES.__getitem__)
        assert refused is not None
        assert "stayed internal" in refused.text
    held = judge(Act.DROP_HELD, _who(people, LUIS), LUIS, author=AISHA)
    assert held is not None
    assert held.text == NOT_AUTHOR
    assert judge(Act.DROP_HELD, _who(people, AISHA), AISHA, author=AISHA) is None


def test_supervising_commands_are_for_supervisors_and_managers(
    people: EmployeeDirectory,
) -> None:
    assert _reason(people, Act.SUPERVISE, AISHA, None) == "allowed"
    assert _reason(people, Act.SUPERVISE, LUIS, None) == "not_supervisor"
    assert _reason(people, Act.COMMAND, LUIS, None) == "allowed"

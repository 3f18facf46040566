"""Who may do what from Slack: the one staff rule for buttons, thread replies and `/tandem`.

Pure: given who acts (their directory record, or None for anyone else in the workspace),
the action and the conversation as it stands, the answer is None (go ahead) or a
``Refusal`` that says why, privately, to the person who tried. The state machine
(handoff/core/state.py) still decides what a conversation's state allows; this decides
whose hand it is.

- Nobody outside the directory (data/employees.yml) does anything.
- Take over: any listed employee, unless someone else has the conversation.
- Pass: the person it is offered to; any listed employee when it is offered to everyone.
- Back to bot, Resolve: the owner; while nobody has it yet, any listed employee.
- A thread reply reaches the customer only from the owner; Send anyway and Edit only
  from the person whose reply the guard held (and Send anyway only while they own it).
- `/tandem`: notes and the notice list for any listed employee; pausing the bot and
  changing notices for supervisors and managers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from handoff.core.state import Conversation, Status, may_reply
from nlu.facts.directory import Employee

SUPERVISOR_ROLES = frozenset({"supervisor", "manager"})
NOT_AUTHOR = "Only the person who wrote this reply can send or drop it."


class Act(StrEnum):
    TAKE_OVER = "take_over"
    HAND_ON = "pass_on"  # the Pass button
    BACK_TO_BOT = "back_to_bot"
    RESOLVE = "resolve"
    REPLY = "reply"  # a thread reply meant for the customer
    SEND_HELD = "send_anyway"  # the guard's Send anyway
    DROP_HELD = "edit"  # the guard's Edit
    COMMAND = "command"  # /tandem: notes, the notice list
    SUPERVISE = "supervise"  # /tandem: pause, resume, notices


# What someone outside the directory is told, per action.
_OUTSIDER = {
    Act.TAKE_OVER: "take over conversations",
    Act.HAND_ON: "pass conversations",
    Act.BACK_TO_BOT: "hand conversations back to the bot",
    Act.RESOLVE: "resolve conversations",
    Act.REPLY: "reply to customers",
    Act.SEND_HELD: "send replies to customers",
    Act.DROP_HELD: "handle held replies",
    Act.COMMAND: "use `/tandem`",
    Act.SUPERVISE: "use `/tandem`",
}
_CLOSING = {Act.BACK_TO_BOT: "hand it back to the bot", Act.RESOLVE: "resolve it"}


@dataclass(frozen=True)
class Refusal:
    """Why an action was refused: ``reason`` for the audit log, ``text`` for the person."""

    reason: str
    text: str


Names = Callable[[str], str]  # a Slack user id -> how the desk names them


def judge(
    act: Act,
    actor: Employee | None,
    user: str,
    conv: Conversation | None = None,
    *,
    name: Names = lambda user: f"<@{user}>",
    author: str | None = None,
) -> Refusal | None:
    """None when ``user`` (``actor`` their directory record) may do ``act`` now.

    ``author``: for the guard's buttons, who wrote the held reply."""
    if actor is None:
        return Refusal(
            "not_in_directory",
            f"Only people in the Tandem employee directory can {_OUTSIDER[act]}. "
            "Ask a supervisor to add you if you should.",
        )
    if act in (Act.SEND_HELD, Act.DROP_HELD) and author is not None and author != user:
        return Refusal("not_author", NOT_AUTHOR)
    if conv is None:
        return _command(act, actor)
    return _on_conversation(act, user, conv, name)


def _command(act: Act, actor: Employee) -> Refusal | None:
    if act is Act.SUPERVISE and actor.role not in SUPERVISOR_ROLES:
        return Refusal(
            "not_supervisor", "Only supervisors and managers can pause the bot or change notices."
        )
    return None


def _on_conversation(act: Act, user: str, conv: Conversation, name: Names) -> Refusal | None:
    owned_by_other = conv.status is Status.HUMAN and conv.owner != user
    if act in (Act.TAKE_OVER, Act.BACK_TO_BOT, Act.RESOLVE) and owned_by_other:
        owner = name(conv.owner or "") if conv.owner else "Someone else"
        only = f"; only they can {_CLOSING[act]}" if act in _CLOSING else ""
        return Refusal("owned_by_other", f"{owner} has this conversation{only}.")
    if act is Act.HAND_ON and conv.status is Status.PENDING and conv.offered_to not in (None, user):
        who = name(conv.offered_to or "")
        return Refusal("not_offered", f"This is offered to {who}; only they can pass it.")
    if act in (Act.REPLY, Act.SEND_HELD) and not may_reply(conv, user):
        return _not_owner(conv, name)
    return None


def _not_owner(conv: Conversation, name: Names) -> Refusal:
    if conv.status is Status.HUMAN and conv.owner:
        return Refusal(
            "not_owner",
            f"{name(conv.owner)} has this conversation, so your reply stayed internal. "
            "Ask them to pass it to you if you should take over.",
        )
    if conv.status is Status.PENDING:
        return Refusal(
            "not_owner",
            "Your reply stayed internal: nobody has taken this conversation yet. "
            "Click *Take over* on the card above to reply to the customer.",
        )
    return Refusal(
        "not_owner",
        f"Your reply stayed internal: the conversation is {conv.status.value}, "
        "so nobody is talking with the customer here.",
    )

"""No question left behind silently: Resolve and Back to bot ask first when the
customer's last message came after the owner's last reply.

Only after a reply: a conversation nobody has replied in yet (closed as spam, or taken
over and handed back at once) closes as before, without a question.

The question is private to the employee who clicked (an ephemeral message with
confirm and cancel buttons whose value is the conversation's id); confirming goes on
as the click would have, and the transcript's event records that it was confirmed
and which message was left unanswered.
"""

from __future__ import annotations

from handoff.core.ports import Choice
from handoff.core.staff import Act
from handoff.core.state import Conversation, ThreadRef
from handoff.flows.context import Context
from handoff.texts.unanswered import CANCEL_LABEL, CONFIRM_LABELS, unanswered_question

ACTION_CONFIRM_RESOLVE = "confirm_resolve"
ACTION_CONFIRM_BACK_TO_BOT = "confirm_back_to_bot"
ACTION_CANCEL_CLOSE = "cancel_close"
CONFIRM_ACTIONS = {Act.RESOLVE: ACTION_CONFIRM_RESOLVE, Act.BACK_TO_BOT: ACTION_CONFIRM_BACK_TO_BOT}

_LOOK_BACK = 50  # transcript events read; a reply further back than this is not looked for


class Unanswered:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def last(self, conv: Conversation) -> str | None:
        """The customer's last message when it came after the owner's last reply."""
        waiting: str | None = None
        for event in reversed(await self.ctx.store.transcript(conv.id, last=_LOOK_BACK)):
            if event.kind == "employee_reply" and event.by == conv.owner:
                return waiting
            if event.kind == "customer_message" and waiting is None:
                text = str(event.detail.get("text") or "")
                waiting = text or f"(a {event.detail.get('media') or 'message'})"
        return None  # no reply of the owner's in sight

    async def ask(
        self, conv: Conversation, thread: ThreadRef, user: str, act: Act, waiting: str
    ) -> None:
        """The private question, with "Resolve anyway" (or "Back to bot anyway") and Cancel."""
        ctx = self.ctx
        profile = await ctx.store.customer(conv.chat_id)
        name = profile.get("first_name") or "The customer"
        choices = (
            Choice(CONFIRM_LABELS[act.value], CONFIRM_ACTIONS[act], conv.id, "danger"),
            Choice(CANCEL_LABEL, ACTION_CANCEL_CLOSE, conv.id),
        )
        await ctx.desk.ask_employee(
            thread, user, unanswered_question(name, waiting, act.value), choices
        )

"""The employees' side: thread replies, and the Take over / Pass / Back to bot / Resolve buttons.

Each action runs under the chat's lock, so a claim is atomic across workers and
the ownership check happens at the moment a reply is sent. Who may act is the staff
rule's (handoff/core/staff.py): a refusal is audited and told to the person privately.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from handoff.core.media import files_detail
from handoff.core.messages import EmployeeMessage
from handoff.core.ports import Signature
from handoff.core.staff import Act
from handoff.core.state import (
    AlreadyOwned,
    Conversation,
    Event,
    NotAllowed,
    ThreadRef,
    Transition,
    claim,
    hand_back,
    resolve,
)
from handoff.flows.cards import build_card
from handoff.flows.context import Context
from handoff.flows.desk_edits import DeskChange, DeskEdits
from handoff.flows.guard import GuardFlow
from handoff.flows.media import OwnerFiles
from handoff.flows.meeting import farewell, remember_helper, send_intro
from handoff.flows.offers import Offers
from handoff.flows.ratings import ask_for_rating
from handoff.flows.staff import StaffCheck
from handoff.flows.unanswered import CONFIRM_ACTIONS, Unanswered
from nlu.facts.directory import Employee

log = logging.getLogger(__name__)

NOTE_PREFIX = "note:"
UNTRACKED = "Tandem does not track this conversation any more."


class DeskFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.files = OwnerFiles(ctx)  # the owner's files reach the customer (media_flow)
        self.staff = StaffCheck(ctx)  # who may do what (handoff/core/staff.py)
        self.edits = DeskEdits(ctx)  # edits and deletions of replies (desk_edits.py)
        # the reply check (guard.py); Send anyway on a held edit edits (desk_edits.py)
        self.guard = GuardFlow(ctx, self.edits.route(self._deliver), self.staff)
        self.unanswered = Unanswered(ctx)  # Resolve / Back to bot ask first (unanswered.py)

    async def on_thread_message(self, msg: EmployeeMessage) -> None:
        ctx = self.ctx
        async with ctx.store.locked_thread(msg.thread) as conv:
            if conv is None or await ctx.store.seen("slack", msg.event_id, chat_id=conv.chat_id):
                return  # a thread Tandem does not track, or an event already handled
            employee = ctx.employees.by_slack_id(msg.user)
            if msg.text.strip().lower().startswith(NOTE_PREFIX):
                await self._note(conv, msg, "marked as a note")
            elif refused := await self.staff.refusal(Act.REPLY, msg.user, conv):
                why = "not the owner" if refused.reason == "not_owner" else refused.reason
                await self._note(conv, msg, why)
                await ctx.desk.tell_employee(msg.thread, msg.user, refused.text)
            elif employee is not None and msg.files:
                await self.files.deliver(conv, msg, employee)
            elif employee is not None and not await self.guard.screen(conv, msg, employee):
                await self._deliver(conv, msg, employee)  # (a held reply waits: Send anyway/Edit)
            await ctx.store.mark_seen("slack", msg.event_id, chat_id=conv.chat_id)

    async def on_thread_change(self, change: DeskChange) -> None:
        """A thread message edited or deleted in Slack (handoff/flows/desk_edits.py)."""
        await self.edits.on_change(change, self.guard)

    async def _deliver(self, conv: Conversation, msg: EmployeeMessage, employee: Employee) -> None:
        ctx = self.ctx
        store = ctx.stores.get(employee.store).name
        await ctx.customers.send_text(
            conv.chat_id, msg.text, signature=Signature(employee.name, store)
        )
        await ctx.store.append(
            conv.id,
            Event("employee_reply", ctx.now(), msg.user, detail={"text": msg.text, "ts": msg.ts}),
        )

    async def _note(self, conv: Conversation, msg: EmployeeMessage, why: str) -> None:
        await self.ctx.store.append(
            conv.id,
            Event(
                "note",
                self.ctx.now(),
                msg.user,
                why,
                {"text": msg.text, "ts": msg.ts, **files_detail(msg.files)},
            ),
        )

    def _name(self, slack_user: str) -> str:
        return self.staff.name(slack_user)

    async def take_over(self, thread: ThreadRef, user: str) -> str | None:
        """Claim the conversation; returns the private answer for the clicker, if any."""
        employee = self.ctx.employees.by_slack_id(user)

        async def transition(conv: Conversation) -> Transition:
            return claim(conv, employee=user, now=self.ctx.now())

        async def after(before: Conversation, conv: Conversation) -> None:
            ctx = self.ctx
            assert employee is not None  # the staff check lets only listed employees act
            await ctx.store.adjust_open(user, +1)
            await remember_helper(ctx, conv.chat_id, employee)
            await send_intro(ctx, conv.chat_id, employee, self._intro(conv, employee))
            await ctx.desk.post_status(thread, f"{employee.name} took over the conversation.")

        unchanged = "You already have this conversation."
        return await self._act(thread, user, Act.TAKE_OVER, transition, after, unchanged)

    def _intro(self, conv: Conversation, employee: Employee) -> str:
        store = self.ctx.stores.get(employee.store).name
        intro = f" {employee.intro.rstrip('.')}." if employee.intro else ""
        return f"Hello, this is {employee.name} from our {store} store.{intro} How can I help?"

    async def give_back(
        self, thread: ThreadRef, user: str, *, confirmed: bool = False
    ) -> str | None:
        async def transition(conv: Conversation) -> Transition:
            return hand_back(conv, by=user, now=self.ctx.now())

        async def after(before: Conversation, conv: Conversation) -> None:
            await self._release(before, resolved=False)
            await self.ctx.desk.post_status(thread, f"{self._name(user)} handed back to the bot.")

        unchanged = "The bot already has this conversation."
        return await self._act(
            thread, user, Act.BACK_TO_BOT, transition, after, unchanged, confirmed=confirmed
        )

    async def resolve(self, thread: ThreadRef, user: str, *, confirmed: bool = False) -> str | None:
        async def transition(conv: Conversation) -> Transition:
            return resolve(conv, by=user, now=self.ctx.now())

        async def after(before: Conversation, conv: Conversation) -> None:
            await self._release(before, resolved=True)
            await ask_for_rating(self.ctx, conv)  # after the goodbye (handoff/flows/ratings.py)
            await self.ctx.desk.post_status(
                thread, f"{self._name(user)} resolved the conversation."
            )

        unchanged = "This conversation is already resolved."
        return await self._act(
            thread, user, Act.RESOLVE, transition, after, unchanged, confirmed=confirmed
        )

    async def confirm(self, conv_id: str, user: str, act: Act) -> str:
        """ "Resolve anyway" / "Back to bot anyway" on the private question (unanswered.py);
        returns what replaces the question."""
        conv = await self.ctx.store.get(conv_id)
        if conv is None or conv.thread is None:
            return UNTRACKED
        go = self.resolve if act is Act.RESOLVE else self.give_back
        answer = await go(conv.thread, user, confirmed=True)
        return answer or ("Resolved." if act is Act.RESOLVE else "Handed back to the bot.")

    async def pass_on(self, thread: ThreadRef, user: str) -> str | None:
        """The Pass button: the staff rule first, then the ladder's next rung (offers.py)."""
        conv = await self.ctx.store.for_thread(thread)
        if conv is None:
            return UNTRACKED
        if refused := await self.staff.refusal(Act.HAND_ON, user, conv):
            return refused.text
        return await Offers(self.ctx).pass_on(thread, user)  # checked again under the lock

    async def _release(self, before: Conversation, *, resolved: bool) -> None:
        """Tell the customer who left (if anyone had joined); the helper's load drops by one
        and the next 24 hours count from now for continuity."""
        helper = self.ctx.employees.by_slack_id(before.owner) if before.owner else None
        if before.owner:
            await self.ctx.store.adjust_open(before.owner, -1)
        if helper is not None:
            await remember_helper(self.ctx, before.chat_id, helper)
        text = farewell(helper.name if helper else None, resolved=resolved)
        await self.ctx.customers.send_text(before.chat_id, text)

    async def _act(
        self,
        thread: ThreadRef,
        user: str,
        act: Act,
        transition: Callable[[Conversation], Awaitable[Transition]],
        after: Callable[[Conversation, Conversation], Awaitable[None]],
        unchanged: str,
        *,
        confirmed: bool = False,
    ) -> str | None:
        ctx = self.ctx
        async with ctx.store.locked_thread(thread) as conv:
            if conv is None:
                return UNTRACKED
            if refused := await self.staff.refusal(act, user, conv):
                return refused.text
            try:
                result = await transition(conv)
            except AlreadyOwned as exc:
                return f"{self._name(exc.owner)} has this conversation."
            except NotAllowed as exc:
                return f"That is not possible now: {exc}."
            if result.event is None:
                return unchanged
            if act in CONFIRM_ACTIONS and (waiting := await self.unanswered.last(conv)):
                if not confirmed:  # ask first; "… anyway" comes back here (confirm)
                    await self.unanswered.ask(conv, thread, user, act, waiting)
                    return None
                result.event.detail.update(confirmed=True, unanswered=waiting)
            await ctx.store.append(conv.id, result.event)
            await ctx.store.save(result.conversation)
            await Offers(ctx).settle(conv, result.conversation, result.event)  # timer, wait
            await after(conv, result.conversation)
            await ctx.desk.refresh_card(thread, await build_card(ctx, result.conversation))
        return None

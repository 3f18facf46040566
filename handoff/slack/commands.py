"""`/tandem` in Slack: pause and resume the bot, post store notices, add customer notes.

Every answer is private to the person who typed the command. Pausing and notices are for
supervisors and managers (data/employees.yml), notes for anyone in the directory (the
staff rule, handoff/core/staff.py); every change, and every refusal, goes into the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck

from handoff.core.staff import Act
from handoff.core.state import Event
from handoff.errors import SlackUnavailable
from handoff.flows.cards import build_card
from handoff.flows.context import Context
from handoff.flows.controls import ALL, LiveControls
from handoff.flows.staff import StaffCheck
from handoff.slack import command_parser as cp
from handoff.storage.records.audit import AuditLog
from handoff.texts.desk import escape_mrkdwn
from nlu.facts.answer_models import Notice
from nlu.facts.directory import Employee

log = logging.getLogger(__name__)

MAX_NOTES = 20  # per customer; the oldest go first
FollowUp = Callable[[], Awaitable[None]]


class TandemCommands:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.controls = LiveControls(ctx)
        self.audit = AuditLog(ctx.store.redis, prefix=ctx.store.prefix, clock=ctx.clock)
        self.staff = StaffCheck(ctx)

    async def handle(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """The bolt listener: answer within Slack's 3 seconds, then any follow-up."""
        answer, follow_up = await self.run(str(command["user_id"]), str(command.get("text") or ""))
        await ack(text=answer, response_type="ephemeral")
        if follow_up is not None:
            try:
                await follow_up()
            except SlackUnavailable:
                log.warning("follow-up of /tandem failed", exc_info=True)

    async def run(self, user: str, text: str) -> tuple[str, FollowUp | None]:
        ctx = self.ctx
        try:
            command = cp.parse(
                text,
                stores=ctx.stores.normalize,
                store_ids=ctx.stores.ids(),
                now=ctx.stores.local(ctx.now_dt()),
            )
        except cp.UsageError as exc:
            return str(exc), None
        if isinstance(command, cp.Help):
            return cp.HELP, None
        everyone = isinstance(command, cp.AddNote | cp.ListNotices)
        if refused := await self.staff.refusal(Act.COMMAND if everyone else Act.SUPERVISE, user):
            employee = ctx.employees.by_slack_id(user)
            if employee is None:
                return refused.text, None
            boss = ctx.employees.supervisor(employee.store).name
            return f"{refused.text} Ask {boss} if something needs to change.", None
        employee = ctx.employees.by_slack_id(user)
        assert employee is not None  # the staff rule lets only listed employees through
        if isinstance(command, cp.AddNote):
            return await self._note(employee, command)
        if isinstance(command, cp.ListNotices):
            return self._list(await self.controls.notices()), None
        return await self._supervise(employee, command), None

    async def _supervise(self, employee: Employee, command: cp.Command) -> str:
        if isinstance(command, cp.Pause):
            return await self._pause(employee, command)
        if isinstance(command, cp.Resume):
            return await self._resume(employee, command)
        if isinstance(command, cp.AddNotice):
            return await self._add_notice(employee, command)
        assert isinstance(command, cp.RemoveNotice)
        if not await self.controls.remove_notice(command.notice_id):
            return f"There is no notice `{escape_mrkdwn(command.notice_id)}` posted from Slack."
        await self.audit.record("notice_removed", employee.id, notice=command.notice_id)
        return f"Notice `{command.notice_id}` removed; the bot gives its usual answers again."

    async def _pause(self, employee: Employee, command: cp.Pause) -> str:
        state = await self.controls.pause(
            command.scope, by=employee.id, seconds=command.seconds, why=command.why
        )
        until = self._when(state.until)
        await self.audit.record(
            "bot_paused", employee.id, store=command.scope, until=until, why=command.why
        )
        return (
            f"The bot is paused for {self._where(command.scope)} until {until}: every new "
            "message goes to a person, and customers are told so. "
            f"Reason: {escape_mrkdwn(command.why)}. `/tandem resume {command.scope}` ends it."
        )

    async def _resume(self, employee: Employee, command: cp.Resume) -> str:
        ended = await self.controls.resume(command.scope)
        await self.audit.record("bot_resumed", employee.id, store=command.scope, count=len(ended))
        if not ended:
            text = f"The bot was not paused for {self._where(command.scope)}."
        else:
            text = f"The bot answers again for {self._where(command.scope)}."
        still = (await self.controls.read()).pauses.get(ALL)
        if still is not None:
            text += f" All stores stay paused until {self._when(still.until)}."
        return text

    async def _add_notice(self, employee: Employee, command: cp.AddNotice) -> str:
        notice = await self.controls.add_notice(
            command.scope, command.text, command.ends, command.intents
        )
        until = self._when(notice.ends.timestamp())
        await self.audit.record(
            "notice_added",
            employee.id,
            notice=notice.id,
            store=command.scope,
            until=until,
            intents=",".join(command.intents),
            text=command.text,
        )
        return (
            f"Notice `{notice.id}` is live for {self._where(command.scope)} until {until} "
            f"({_covers(notice)}). Remove it with `/tandem notice remove {notice.id}`."
        )

    async def _note(self, employee: Employee, command: cp.AddNote) -> tuple[str, FollowUp | None]:
        ctx = self.ctx
        conv = await ctx.store.get(command.conversation_id)
        if conv is None:
            return f"There is no conversation `{command.conversation_id}`.", None
        async with ctx.store.chat_lock(conv.chat_id):
            profile = await ctx.store.customer(conv.chat_id)
            notes = [n for n in profile.get("notes", "").split("\n") if n]
            notes = [*notes, command.text][-MAX_NOTES:]
            await ctx.store.remember(conv.chat_id, notes="\n".join(notes))
            detail = {"text": command.text}
            await ctx.store.append(
                conv.id, Event("profile_note", ctx.now(), employee.slack_user_id, detail=detail)
            )
        await self.audit.record(
            "profile_note", employee.id, conversation=conv.id, customer=conv.chat_id
        )

        async def refresh() -> None:  # the open card shows the note at once
            latest = await ctx.store.get(conv.id)
            if latest is not None and latest.thread is not None:
                await ctx.desk.refresh_card(latest.thread, await build_card(ctx, latest))

        name = profile.get("first_name") or "the customer"
        return f"Noted on {escape_mrkdwn(name)}'s profile ({conv.id}).", refresh

    def _list(self, from_slack: tuple[Notice, ...]) -> str:
        now = self.ctx.now_dt()
        from_file = tuple(n for n in self.ctx.answers.notices if n.active(now))
        if not from_slack and not from_file:
            return "No notices are in force; the bot gives its usual answers."
        lines = ["*Notices in force*"]
        listed = [(n, "") for n in from_slack] + [(n, " (notices.yml)") for n in from_file]
        for notice, source in listed:
            lines.append(
                f"• `{notice.id}`{source} {self._where(notice.store)}, until "
                f"{self._when(notice.ends.timestamp())} ({_covers(notice)}): "
                f"{escape_mrkdwn(notice.text)}"
            )
        return "\n".join(lines)

    def _where(self, scope: str) -> str:
        return "all stores" if scope == ALL else self.ctx.stores.get(scope).name

    def _when(self, timestamp: float) -> str:
        local = self.ctx.stores.local(datetime.fromtimestamp(timestamp, tz=UTC))
        return f"{local:%a %b} {local.day} {local:%H:%M}"


def _covers(notice: Notice) -> str:
    if "all" in notice.intents:
        return "all questions"
    return "questions about " + ", ".join(i.removeprefix("ask_") for i in notice.intents)

"""The staff rule (handoff/core/staff.py) at work: judge a Slack user's action, audit a refusal.

A refusal goes into the audit log (who, which action, why, which conversation; never what
anyone wrote) and its text back to the caller, who shows it to that person privately.
"""

from __future__ import annotations

from handoff.core.staff import Act, Refusal, judge
from handoff.core.state import Conversation
from handoff.flows.context import Context
from handoff.storage.records.audit import AuditLog

REFUSED = "staff_action_refused"  # the audit log's action name


class StaffCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = AuditLog(ctx.store.redis, prefix=ctx.store.prefix, clock=ctx.clock)

    def name(self, slack_user: str) -> str:
        """How the desk names someone: their first name, else a Slack mention."""
        employee = self.ctx.employees.by_slack_id(slack_user)
        return employee.name if employee else f"<@{slack_user}>"

    async def refusal(
        self,
        act: Act,
        user: str,
        conv: Conversation | None = None,
        *,
        author: str | None = None,
    ) -> Refusal | None:
        """None when ``user`` may do ``act``; else why not, already audited."""
        actor = self.ctx.employees.by_slack_id(user)
        refused = judge(act, actor, user, conv, name=self.name, author=author)
        if refused is None:
            return None
        detail: dict[str, str | None] = {"act": act.value, "reason": refused.reason}
        if conv is not None:
            detail["conversation"] = conv.id
        await self.audit.record(REFUSED, actor.id if actor else f"slack:{user}", **detail)
        return refused

"""The reply guard's buttons in Slack: Send anyway and Edit, on the private message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond

from handoff.flows.guard import GuardFlow


class GuardButtons:
    def __init__(self, guard: GuardFlow) -> None:
        self.guard = guard

    async def send_anyway(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        hold_id, user = _hold_and_user(body)
        await respond(text=await self.guard.send_anyway(hold_id, user), replace_original=True)

    async def edit(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        hold_id, user = _hold_and_user(body)
        await respond(text=await self.guard.edit(hold_id, user), replace_original=True)


def _hold_and_user(body: dict[str, Any]) -> tuple[str, str]:
    """The held reply's id travels in the button's value; the answer replaces the buttons."""
    return str(body["actions"][0].get("value") or ""), str(body["user"]["id"])

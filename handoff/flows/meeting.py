"""Meeting the person: the intro with their photo, continuity with the last helper, goodbyes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from handoff.flows.context import Context
from nlu.facts.directory import Employee

# A returning customer is offered to the person who helped them last, within this window.
HELPER_WINDOW_SECONDS = 24 * 3600


def recent_helper(
    profile: Mapping[str, str], now: float, window: float = HELPER_WINDOW_SECONDS
) -> str | None:
    """The last helper, if they helped within the window (before a restart too: from Redis)."""
    helper, at = profile.get("last_helper"), profile.get("last_helper_at")
    if not helper or not at:
        return None
    try:
        helped = float(at)
    except ValueError:
        return None
    return helper if 0 <= now - helped <= window else None


async def remember_helper(ctx: Context, chat_id: str, employee: Employee) -> None:
    await ctx.store.remember(chat_id, last_helper=employee.id, last_helper_at=repr(ctx.now()))


async def send_intro(ctx: Context, chat_id: str, employee: Employee, text: str) -> None:
    """The intro with the person's photo: customers meet a face, not a name only."""
    path = ctx.employees.photo_path(employee.id, ctx.employees.source.parent)
    if path is None:
        await ctx.customers.send_text(chat_id, text)
        return
    photo = await asyncio.to_thread(path.read_bytes)
    await ctx.customers.send_photo(chat_id, photo, text)


def farewell(person: str | None, *, resolved: bool) -> str:
    """What the customer reads when a conversation leaves the people.

    Only someone who had joined can have "left"; before anyone took it over, the team
    speaks as a whole.
    """
    if person is not None:
        if resolved:
            return f"{person} has left the chat. Write here any time if you need anything else."
        return f"{person} has left the chat; the assistant is back if you need anything else."
    if resolved:
        return (
            "Our team has closed this conversation. Write here any time if you need anything else."
        )
    return (
        "Our team has passed your conversation back to the assistant. Ask me anything, "
        "or ask for a person at any time."
    )

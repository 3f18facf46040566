"""A person editing or deleting their own message, as the Slack client does it.

Slack lets the author (only) edit or delete a message; the app then gets a ``message``
event with subtype ``message_changed`` (``message`` as it is now, with ``edited``;
``previous_message``; ``hidden: true``) or ``message_deleted`` (``deleted_ts``,
``previous_message``, ``hidden: true``), built by payloads.py from the Events API
reference (https://docs.slack.dev/reference/events/message/message_changed and
.../message_deleted). A non-author gets the Web API's own errors, ``cant_update_message``
and ``cant_delete_message``.

Control endpoints (the playground's Slack pane, or curl), JSON bodies:
  POST /_fake/edit    {"user", "channel", "ts", "text"} -> {"ok": true, "message": {...}}
  POST /_fake/delete  {"user", "channel", "ts"}         -> {"ok": true, "deleted": {...}}
Bad bodies and refusals answer 400 {"error": "..."}, as the rest of /_fake/ (control.py).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.fake_slack.control import _Body, bad_request, parse
from playground.fake_slack.payloads import message_deleted_event
from playground.fake_slack.state import JSON, FakeSlackError

if TYPE_CHECKING:
    from playground.fake_slack.server import FakeSlack


class EditBody(_Body):
    user: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    ts: str = Field(min_length=1)
    text: str = Field(min_length=1)


class DeleteBody(_Body):
    user: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    ts: str = Field(min_length=1)


async def user_deletes(fake: FakeSlack, user_id: str, channel: str, ts: str) -> JSON:
    """The author deletes their message; the app gets ``message_deleted``."""
    user, found = fake._member(user_id, channel)
    if fake.workspace.find(found, ts).get("user") != user["id"]:
        raise FakeSlackError("cant_delete_message", "users can only delete their own messages")
    deleted = await fake.workspace.delete(found, ts)
    event = message_deleted_event(found, deleted, fake.workspace.next_ts())
    await fake._dispatch.deliver_event(event)
    return copy.deepcopy(deleted)


def edit_routes(fake: FakeSlack) -> list[Route]:
    async def edit(request: Request) -> Response:
        body = await parse(request, EditBody)
        if isinstance(body, Response):
            return body
        try:
            message = await fake.user_edits(body.user, body.channel, body.ts, body.text)
        except FakeSlackError as error:
            return bad_request(str(error))
        return JSONResponse({"ok": True, "message": message})

    async def delete(request: Request) -> Response:
        body = await parse(request, DeleteBody)
        if isinstance(body, Response):
            return body
        try:
            deleted = await user_deletes(fake, body.user, body.channel, body.ts)
        except FakeSlackError as error:
            return bad_request(str(error))
        return JSONResponse({"ok": True, "deleted": deleted})

    return [
        Route("/_fake/edit", edit, methods=["POST"]),
        Route("/_fake/delete", delete, methods=["POST"]),
    ]

"""Files: the three-step upload slack_sdk's files_upload_v2 performs, files.info, downloads.

1. files.getUploadURLExternal → an upload_url on this fake; 2. raw POST of the bytes there
(no token, as the real upload URL is pre-signed); 3. files.completeUploadExternal shares the
files into a channel/thread as one file_share message. Downloads need the bot token.

A download can be made to fail as real Slack's sometimes do (``break_download``): a
sign-in page with status 200 (what a token without access, or a workspace's SSO, gets),
a redirect to that page, a 404, or a body cut short of its Content-Length.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from playground.fake_slack.api import (
    ApiCall,
    Handler,
    bearer_token,
    param_opt,
    param_str,
)
from playground.fake_slack.methods import Methods
from playground.fake_slack.payloads import message_event
from playground.fake_slack.state import JSON, Channel, FakeSlackError, StoredFile, new_id

DOWNLOAD_FAULTS = ("login_page", "redirect", "not_found", "truncated")
# What Slack serves instead of a file to a request it does not let through.
LOGIN_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">'
    "<title>Slack</title></head><body><h1>Sign in to your workspace</h1>"
    '<form action="/signin" method="post"><input type="email" name="email">'
    '<button type="submit">Continue</button></form></body></html>'
)


@dataclass
class PendingUpload:
    filename: str
    length: int
    data: bytes | None = None


def guess_mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Files:
    def __init__(self, methods: Methods, bot_token: str) -> None:
        self.methods = methods
        self.ws = methods.ws
        self.bot_token = bot_token
        self.pending: dict[str, PendingUpload] = {}
        self.download_faults: dict[str, str] = {}  # file id or name -> a DOWNLOAD_FAULTS

    def break_download(self, file: str, how: str | None) -> None:
        """Downloads of this file (its id, or its name: files shared later too) fail as
        ``how`` says from now on; None mends them."""
        if how is None:
            self.download_faults.pop(file, None)
            return
        if how not in DOWNLOAD_FAULTS:
            raise ValueError(f"how must be one of {DOWNLOAD_FAULTS}, got {how!r}")
        self.download_faults[file] = how

    def handlers(self) -> dict[str, Handler]:
        return {
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload,
            "files.info": self.files_info,
        }

    async def share(
        self,
        files: list[StoredFile],
        channel: Channel,
        *,
        author: JSON,
        text: str,
        thread_ts: str | None,
        base_url: str,
    ) -> JSON:
        """Post one file_share message carrying `files` and point each file at it."""
        fields = {**author, "subtype": "file_share", "text": text, "upload": True}
        message = await self.ws.post(channel, fields, thread_ts=thread_ts)
        for stored in files:
            stored.channel, stored.thread_ts, stored.share_ts = (
                channel.id,
                message.get("thread_ts"),
                message["ts"],
            )
        message["files"] = [f.to_json(base_url) for f in files]
        await self.ws.notify()
        return message

    # -- Web API ---------------------------------------------------------------------------

    async def get_upload_url(self, call: ApiCall) -> JSON:
        filename = param_str(call.params, "filename", "invalid_arguments")
        try:
            length = int(param_str(call.params, "length", "invalid_arguments"))
        except ValueError:
            raise FakeSlackError("invalid_arguments", "length must be an integer") from None
        file_id = new_id("F")
        self.pending[file_id] = PendingUpload(filename, length)
        return {"upload_url": f"{call.base_url}/upload/{file_id}", "file_id": file_id}

    async def complete_upload(self, call: ApiCall) -> JSON:
        entries = parse_file_entries(call.params.get("files"))
        channels = param_opt(call.params, "channels") or ""
        channel_ref = param_opt(call.params, "channel_id") or channels.split(",")[0]
        channel = self.methods.member_channel({"channel": channel_ref}) if channel_ref else None
        stored = [self._finish(entry) for entry in entries]
        for item in stored:
            await self.ws.add_file(item)
        if channel is not None:
            message = await self.share(
                stored,
                channel,
                author=self.methods.bot_fields(),
                text=str(call.params.get("initial_comment") or ""),
                thread_ts=param_opt(call.params, "thread_ts"),
                base_url=call.base_url,
            )
            self.methods.echo(message_event(channel, message))
        return {"files": [f.to_json(call.base_url) for f in stored]}

    async def files_info(self, call: ApiCall) -> JSON:
        file_id = param_str(call.params, "file", "file_not_found")
        stored = self.ws.files.get(file_id)
        if stored is None:
            raise FakeSlackError("file_not_found")
        return {
            "file": stored.to_json(call.base_url),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def _finish(self, entry: JSON) -> StoredFile:
        upload = self.pending.get(str(entry.get("id")))
        if upload is None or upload.data is None:
            raise FakeSlackError("file_not_found", f"{entry.get('id')} was not uploaded")
        del self.pending[str(entry["id"])]
        return StoredFile(
            id=str(entry["id"]),
            name=upload.filename,
            title=str(entry.get("title") or upload.filename),
            mimetype=guess_mimetype(upload.filename),
            data=upload.data,
            user=self.ws.identity.bot_user_id,
            created=int(time.time()),
        )

    # -- raw HTTP routes -------------------------------------------------------------------

    async def upload_endpoint(self, request: Request) -> Response:
        upload = self.pending.get(request.path_params["file_id"])
        if upload is None:
            return PlainTextResponse("upload_url_not_found", status_code=404)
        upload.data = await read_upload_body(request)
        return PlainTextResponse(f"OK - {len(upload.data)}")

    async def download_endpoint(self, request: Request) -> Response:
        if bearer_token(request) != self.bot_token:
            return PlainTextResponse("invalid_auth", status_code=403)
        stored = self.ws.files.get(request.path_params["file_id"])
        if stored is None or stored.name != request.path_params["filename"]:
            return PlainTextResponse("file_not_found", status_code=404)
        fault = self.download_faults.get(stored.id) or self.download_faults.get(stored.name)
        if fault is not None:
            return _broken_download(fault, stored.data, stored.mimetype)
        headers = {}
        if request.url.path.rstrip("/").split("/")[-2] == "download":
            headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
        return Response(stored.data, media_type=stored.mimetype, headers=headers)


def _broken_download(fault: str, data: bytes, mimetype: str) -> Response:
    """What a download answers instead of the file (``Files.break_download``)."""
    if fault == "login_page":
        return HTMLResponse(LOGIN_PAGE)  # 200, as Slack's sign-in page is
    if fault == "redirect":
        return RedirectResponse("/signin?redir=%2Ffiles", status_code=302)
    if fault == "not_found":
        return PlainTextResponse("file_not_found", status_code=404)

    async def half() -> AsyncIterator[bytes]:  # the connection drops halfway
        yield data[: len(data) // 2]

    return StreamingResponse(
        half(), media_type=mimetype, headers={"Content-Length": str(len(data))}
    )


async def read_upload_body(request: Request) -> bytes:
    """slack_sdk posts raw bytes; other clients send multipart with a `file` field."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form() as form:
            for value in form.values():
                if isinstance(value, UploadFile):
                    return await value.read()
    return await request.body()


def parse_file_entries(raw: object) -> list[JSON]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise FakeSlackError("invalid_arguments", "files is not JSON") from None
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise FakeSlackError("invalid_arguments", "files must be a non-empty list of objects")
    return copy.deepcopy(raw)

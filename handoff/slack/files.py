"""Files in Slack: uploading a customer's file into a thread, downloading an employee's.

Downloads send the bot token, so they only go to Slack's own file host or the host the
Web API is served from (the playground serves both from one place). A download that
answers anything but the file is refused (``FileUnavailable``) and never forwarded.
They run on the web client's own aiohttp session (the worker's one HTTP stack), and on
a session of their own only for a client made without one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDictProxy
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.media import (
    MAX_FILE_BYTES,
    FileTooLarge,
    FileUnavailable,
    SharedFile,
    too_large,
)
from handoff.core.state import ThreadRef
from handoff.errors import SlackUnavailable

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30.0, connect=10.0)
CHUNK_BYTES = 64 * 1024


def may_send_token(url: str, api_url: str) -> bool:
    target, api = urlsplit(url), urlsplit(api_url)
    if target.scheme not in ("https", "http") or not target.hostname:
        return False
    if target.hostname in SLACK_FILE_HOSTS:
        return target.scheme == "https"
    return (target.scheme, target.netloc) == (api.scheme, api.netloc)


async def upload(
    client: AsyncWebClient, thread: ThreadRef, data: bytes, file_name: str, comment: str
) -> None:
    try:
        await client.files_upload_v2(
            channel=thread.channel,
            thread_ts=thread.ts,
            file=data,
            filename=file_name,
            title=file_name,
            initial_comment=comment,
        )
    except (SlackApiError, SlackClientError) as exc:
        raise SlackUnavailable(f"files_upload_v2 to {thread.channel} failed: {exc}") from exc


async def download(client: AsyncWebClient, file: SharedFile) -> bytes:
    if too_large(file.size):
        raise FileTooLarge(f"{file.size} bytes")
    url = file.url or await _url_from_info(client, file.id)
    if not may_send_token(url, client.base_url):
        raise SlackUnavailable(f"file {file.id} is on an unexpected host")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with (
            _session(client) as http,
            # A redirect is not followed: the token must not go where it points.
            http.get(
                url, headers=headers, allow_redirects=False, timeout=DOWNLOAD_TIMEOUT
            ) as response,
        ):
            check_response(response.status, response.headers, file)
            data = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                data.extend(chunk)
                if len(data) > MAX_FILE_BYTES:  # Slack's size may be missing or wrong
                    raise FileTooLarge(f"over {MAX_FILE_BYTES} bytes")
            expected = response.headers.get("content-length")
    except aiohttp.ClientPayloadError as exc:  # the connection closed before the body's end
        raise FileUnavailable("Slack cut the download short") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SlackUnavailable(f"download of file {file.id} failed: {exc}") from exc
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        raise FileUnavailable("Slack cut the download short")
    return bytes(data)


@asynccontextmanager
async def _session(client: AsyncWebClient) -> AsyncIterator[aiohttp.ClientSession]:
    """The web client's session when it has one (kept for the worker's life)."""
    if client.session is not None:
        yield client.session
        return
    async with aiohttp.ClientSession() as session:
        yield session


def check_response(status: int, headers: CIMultiDictProxy[str], file: SharedFile) -> None:
    """Only the file itself is forwarded: a sign-in page (HTML, 200), a redirect to one,
    a missing file or a refusal is not, and will not be by asking again; Slack being
    down (5xx, 429) is worth another try."""
    if 300 <= status < 400:
        where = urlsplit(headers.get("location", "")).path or "elsewhere"
        raise FileUnavailable(f"Slack redirected the download to {where} instead of the file")
    if status in (401, 403, 404, 410):
        raise FileUnavailable(f"Slack refused the download ({status})")
    if status == 429 or status >= 500:
        raise SlackUnavailable(f"download of file {file.id} failed: {status}")
    if status != 200:
        raise FileUnavailable(f"Slack answered {status} instead of the file")
    served = headers.get("content-type", "").split(";")[0].strip().lower()
    if served == "text/html" and not file.mimetype.lower().startswith("text/html"):
        raise FileUnavailable("Slack answered with a sign-in page instead of the file")


async def _url_from_info(client: AsyncWebClient, file_id: str) -> str:
    """Slack leaves the URL out of some events (``file_access: check_file_info``)."""
    try:
        response = await client.files_info(file=file_id)
    except (SlackApiError, SlackClientError) as exc:
        raise SlackUnavailable(f"files.info for {file_id} failed: {exc}") from exc
    info = response.get("file") or {}
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise SlackUnavailable(f"file {file_id} has no download URL")
    if too_large(info.get("size")):
        raise FileTooLarge(f"{info.get('size')} bytes")
    return str(url)

"""Files in Slack: uploading a customer's file into a thread, downloading an employee's.

Downloads send the bot token, so they only go to Slack's own file host or the host the
Web API is served from (the playground serves both from one place).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.media import MAX_FILE_BYTES, FileTooLarge, SharedFile, too_large
from handoff.core.state import ThreadRef
from handoff.errors import SlackUnavailable

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


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
            httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            response.raise_for_status()
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > MAX_FILE_BYTES:  # Slack's size may be missing or wrong
                    raise FileTooLarge(f"over {MAX_FILE_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise SlackUnavailable(f"download of file {file.id} failed: {exc}") from exc
    return bytes(data)


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

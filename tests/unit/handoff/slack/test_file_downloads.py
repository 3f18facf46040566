"""Only an employee's file itself is forwarded (handoff/slack/files.py): a download that
answers a sign-in page, a redirect, a 404 or a body cut short is refused, not passed on.
Against the fake Slack's file host, which can answer each of those."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.serve import serve_app
from handoff.core.media import FileUnavailable, SharedFile, shared_files
from handoff.slack.files import download
from playground.fake_slack.server import FakeSlack
from tests.playground.fake_slack.test_server import ALICE, STORE, make_fake, web_client

PDF = b"%PDF-1.4\n% a receipt\n" + bytes(range(256)) * 64


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = make_fake()
    async with serve_app(fake.app) as url:
        fake.base_url = url
        yield fake, url
    await fake.aclose()


async def _shared(fake: FakeSlack) -> SharedFile:
    message = await fake.user_uploads(ALICE, STORE, None, PDF, "receipt.pdf", "application/pdf")
    [file] = shared_files(message["files"])
    return file


async def test_the_file_itself_is_downloaded(fake: tuple[FakeSlack, str]) -> None:
    slack, url = fake
    file = await _shared(slack)
    assert await download(web_client(url), file) == PDF


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("login_page", "Slack answered with a sign-in page instead of the file"),
        ("redirect", "Slack redirected the download to /signin instead of the file"),
        ("not_found", "Slack refused the download (404)"),
        ("truncated", "Slack cut the download short"),
    ],
)
async def test_anything_but_the_file_is_refused(
    fake: tuple[FakeSlack, str], how: str, why: str
) -> None:
    slack, url = fake
    file = await _shared(slack)
    slack._files.break_download(file.id, how)  # the fake's file host (H5 owns files.py)
    with pytest.raises(FileUnavailable) as refused:
        await download(web_client(url), file)
    assert str(refused.value) == why
    slack._files.break_download(file.id, None)
    assert await download(web_client(url), file) == PDF


async def test_a_html_file_shared_as_html_is_still_a_file(fake: tuple[FakeSlack, str]) -> None:
    slack, url = fake
    page = b"<!DOCTYPE html><html><body>Our price list</body></html>"
    message = await slack.user_uploads(ALICE, STORE, None, page, "prices.html", "text/html")
    [file] = shared_files(message["files"])
    assert await download(web_client(url), file) == page

"""Names for a reply's mentions: the directory first, then Slack's users and channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from handoff.slack.mrkdwn import decode_message
from handoff.slack.people import mentioned, names_for
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from playground.fake_slack.server import FakeSlack

DATA = Path(__file__).resolve().parents[4] / "data"
TOKEN = "xoxb-people"
LUIS = "U0LUIS01"  # in the business's directory, as "Luis"


@pytest.fixture
def directory() -> EmployeeDirectory:
    return EmployeeDirectory.load(DATA / "employees.yml", StoreDirectory.load(DATA / "stores.yml"))


@pytest.fixture
async def client() -> AsyncIterator[AsyncWebClient]:
    fake = FakeSlack(
        bot_token=TOKEN,
        signing_secret="s",
        channels={"C0DESK": "riverside-desk"},
        users=[
            {"id": LUIS, "name": "luis", "profile": {"display_name": "Luis R."}},
            {"id": "U0GUEST", "name": "guest", "profile": {"display_name": "Sam"}},
        ],
    )
    async with serve_app(fake.app) as url:
        yield AsyncWebClient(token=TOKEN, base_url=f"{url}/api/")
    await fake.aclose()


def test_mentions_are_found_in_text_and_blocks() -> None:
    event = {
        "text": "<@U0A> see <#C0B|desk> and <#C0C>",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_list",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "user", "user_id": "U0D"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    assert mentioned(event) == ({"U0A", "U0D"}, {"C0B": "desk", "C0C": ""})


async def test_directory_first_then_slack(
    client: AsyncWebClient, directory: EmployeeDirectory
) -> None:
    event = {"text": f"<@{LUIS}> and <@U0GUEST> in <#C0DESK> or <#C0NONE|old-name>, <@U0GONE>"}
    names = await names_for(event, directory, client)
    assert names.users == {LUIS: "Luis", "U0GUEST": "Sam"}  # the name customers know
    assert names.channels == {"C0DESK": "riverside-desk", "C0NONE": "old-name"}
    assert decode_message(event, names) == (
        "@Luis and @Sam in #riverside-desk or #old-name, @U0GONE"
    )

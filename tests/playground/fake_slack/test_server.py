"""FakeSlack driven by the REAL slack_bolt / slack_sdk, over HTTP and over Socket Mode."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from bot.serve import serve_app
from playground.fake_slack.server import FakeSlack, FakeSlackError, RetryClock

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SECRET = "fake-signing-secret"
STORE = "C0STORE"
ALICE, BOB = "U0ALICE", "U0BOB"
JSON = dict[str, Any]

TAKE_OVER_BLOCKS: list[JSON] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Customer needs a human"}},
    {
        "type": "actions",
        "block_id": "handoff",
        "elements": [
            {
                "type": "button",
                "action_id": "take_over",
                "value": "conv-42",
                "text": {"type": "plain_text", "text": "Take over"},
            }
        ],
    },
]


def make_fake(**overrides: Any) -> FakeSlack:
    options: JSON = {
        "bot_token": BOT_TOKEN,
        "app_token": APP_TOKEN,
        "signing_secret": SECRET,
        "channels": {STORE: "riverside-store"},
        "users": [
            {"id": ALICE, "name": "alice", "real_name": "Alice Ng", "tz": "Europe/Berlin"},
            {"id": BOB, "name": "bob", "profile": {"display_name": "Bobby"}},
        ],
        "delivery_timeout": 1.0,
        **overrides,
    }
    return FakeSlack(**options)


def web_client(url: str, token: str = BOT_TOKEN, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=f"{url}/api/", **kwargs)


def bolt_app(url: str, signing_secret: str = SECRET) -> AsyncApp:
    return AsyncApp(signing_secret=signing_secret, client=web_client(url))


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = make_fake()
    yield fake
    await fake.aclose()


@pytest.fixture
async def fake_url(fake: FakeSlack) -> AsyncIterator[str]:
    async with serve_app(fake.app, ws="websockets-sansio") as url:
        fake.base_url = url
        yield url
        await fake.drain()


@pytest.fixture
async def bolt(fake: FakeSlack, fake_url: str) -> AsyncIterator[AsyncApp]:
    """A bolt app on POST /slack/events, set as the fake's Request URL."""
    app = bolt_app(fake_url)
    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async with serve_app(
        Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    ) as url:
        fake.set_request_url(f"{url}/slack/events")
        yield app
        await fake.drain()


async def post_handoff(client: AsyncWebClient, **kwargs: Any) -> str:
    response = await client.chat_postMessage(
        channel=STORE, text="Customer needs a human", blocks=TAKE_OVER_BLOCKS, **kwargs
    )
    return str(response["ts"])


# -- HTTP mode ---------------------------------------------------------------------------------


async def test_thread_reply_reaches_message_listener_and_own_messages_are_dropped(
    fake: FakeSlack, bolt: AsyncApp
) -> None:
    seen: list[JSON] = []

    @bolt.event("message")
    async def on_message(event: JSON, client: AsyncWebClient) -> None:
        seen.append(event)
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="ack")

    metadata = {"event_type": "handoff", "event_payload": {"conversation": "conv-42"}}
    parent = await post_handoff(bolt.client, metadata=metadata)
    posted = await fake.user_posts(ALICE, STORE, "I'll take it", thread_ts=parent)
    reply = await fake.wait_for_message(STORE, lambda m: m["text"] == "ack", thread_ts=parent)
    await fake.drain()

    assert [(e["user"], e["text"], e["thread_ts"]) for e in seen] == [
        (ALICE, "I'll take it", parent)
    ]
    assert seen[0]["channel_type"] == "channel"
    assert seen[0]["team"] == "T0TANDEM"
    assert reply["bot_id"] == "B0TANDEMBOT"
    assert reply["thread_ts"] == parent
    assert [m["ts"] for m in fake.thread(STORE, parent)] == [parent, posted["ts"], reply["ts"]]
    assert fake.thread(STORE, parent)[0]["reply_count"] == 2
    assert fake.thread(STORE, parent)[0]["metadata"] == metadata
    # the bot's two posts were delivered back (200) and bolt's self-event filter dropped them
    echoes = [d for d in fake.deliveries if d.payload["event"].get("bot_id")]
    assert len(echoes) == 2
    assert all(d.ok and d.mode == "http" for d in echoes)
    assert [m for m, _ in fake.calls].count("chat.postMessage") == 2


async def test_button_click_reaches_action_and_responses_land(
    fake: FakeSlack, bolt: AsyncApp
) -> None:
    clicks: list[JSON] = []

    @bolt.action("take_over")
    async def take_over(
        ack: AsyncAck, body: JSON, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        clicks.append(body)
        await respond(text=f"Taken by <@{body['user']['id']}>", replace_original=True)
        await client.chat_postEphemeral(
            channel=body["channel"]["id"], user=body["user"]["id"], text="You own it now"
        )

    ts = await post_handoff(bolt.client)
    delivery = await fake.user_clicks(ALICE, STORE, ts, "take_over")
    ephemeral = await fake.wait_for_ephemeral(ALICE, lambda e: e["text"] == "You own it now")
    replaced = await fake.wait_for_message(STORE, lambda m: m["text"].startswith("Taken by"))

    assert delivery.ok
    assert delivery.status == 200
    assert delivery.mode == "http"
    body = clicks[0]
    assert body["user"] == {
        "id": ALICE,
        "username": "alice",
        "name": "alice",
        "team_id": "T0TANDEM",
    }
    assert body["container"]["message_ts"] == ts
    assert body["message"]["ts"] == ts
    assert body["actions"][0]["value"] == "conv-42"
    assert body["actions"][0]["block_id"] == "handoff"
    assert replaced["ts"] == ts
    assert "blocks" not in replaced
    assert ephemeral["channel"] == STORE
    assert fake.ephemerals(BOB) == []
    assert fake.response_url_posts[0]["body"]["replace_original"] is True
    with pytest.raises(FakeSlackError, match="button_not_found"):
        await fake.user_clicks(ALICE, STORE, ts, "take_over")  # the buttons were replaced


async def test_click_on_ephemeral_buttons_and_delete_original(
    fake: FakeSlack, bolt: AsyncApp
) -> None:
    clicks: list[JSON] = []

    @bolt.action("take_over")
    async def take_over(ack: AsyncAck, body: JSON, respond: AsyncRespond) -> None:
        await ack()
        clicks.append(body)
        await respond(delete_original=True)

    sent = await bolt.client.chat_postEphemeral(
        channel=STORE, user=BOB, text="Only you", blocks=TAKE_OVER_BLOCKS
    )
    delivery = await fake.user_clicks(BOB, STORE, sent["message_ts"], "take_over")
    await fake.workspace.wait_for(
        lambda: True if not fake.ephemerals(BOB) else None, 5.0, lambda: "ephemeral not deleted"
    )

    assert delivery.ok
    assert clicks[0]["container"]["is_ephemeral"] is True
    assert "message" not in clicks[0]  # Slack leaves it out for ephemeral messages
    with pytest.raises(FakeSlackError, match="message_not_found"):
        await fake.user_clicks(ALICE, STORE, sent["message_ts"], "take_over")


async def test_slash_command_reaches_command_listener(fake: FakeSlack, bolt: AsyncApp) -> None:
    @bolt.command("/tandem")
    async def tandem(ack: AsyncAck, command: JSON, respond: AsyncRespond) -> None:
        await ack(f"Paused {command['text'].split()[1]}")
        await respond(response_type="in_channel", text=f"<@{command['user_id']}> paused a store")

    delivery = await fake.user_runs_command(BOB, STORE, "/tandem", "pause riverside 2h")
    announced = await fake.wait_for_message(STORE, lambda m: "paused a store" in m["text"])

    assert delivery.ok
    assert delivery.response == {"text": "Paused riverside"}
    assert delivery.payload["text"] == "pause riverside 2h"
    assert delivery.payload["channel_name"] == "riverside-store"
    assert fake.ephemerals(BOB)[0]["text"] == "Paused riverside"  # the ack is shown to Bob only
    assert announced["text"] == f"<@{BOB}> paused a store"


async def test_wrong_signing_secret_is_refused_by_bolt(fake: FakeSlack, bolt: AsyncApp) -> None:
    fake.signing_secret = "not-the-apps-secret"
    command = await fake.user_runs_command(ALICE, STORE, "/tandem", "status")
    await fake.user_posts(ALICE, STORE, "hello?")
    event = fake.deliveries[-1]

    assert command.status == 401
    assert command.response is None
    assert len(command.attempts) == 1
    assert [a.status for a in event.attempts] == [401, 401, 401, 401]  # events are retried


async def test_http_delivery_is_signed_and_retried_like_slack() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the test's clock: no real minutes pass
        slept.append(seconds)

    fake = make_fake(delivery_timeout=0.3, retry_clock=RetryClock(scale=1.0, sleep=sleep))
    seen: list[tuple[dict[str, str], bytes]] = []
    answers = ["slow", "fail", "ok"]

    async def events(request: Request) -> Response:
        seen.append((dict(request.headers), await request.body()))
        answer = answers.pop(0)
        if answer == "slow":
            await asyncio.sleep(0.6)
        return PlainTextResponse("", status_code=500 if answer == "fail" else 200)

    async with serve_app(
        Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    ) as url:
        fake.set_request_url(f"{url}/slack/events")
        message = await fake.user_posts(ALICE, STORE, "retry me")

    delivery = fake.deliveries[-1]
    assert [(a.status, a.error) for a in delivery.attempts] == [
        (None, "http_timeout"),
        (500, "http_error"),
        (200, None),
    ]
    assert slept == [60.0]  # retry 1 at once, retry 2 a minute after the failed one
    headers = [h for h, _ in seen]
    assert "x-slack-retry-num" not in headers[0]
    assert [(h["x-slack-retry-num"], h["x-slack-retry-reason"]) for h in headers[1:]] == [
        ("1", "http_timeout"),
        ("2", "http_error"),
    ]
    verifier = SignatureVerifier(SECRET)
    assert all(verifier.is_valid_request(body, h) for h, body in seen)
    envelope = json.loads(seen[0][1])
    assert envelope["type"] == "event_callback"
    assert envelope["event"]["ts"] == message["ts"]
    assert envelope["authorizations"][0]["user_id"] == "U0TANDEMBOT"
    await fake.aclose()


async def test_events_follow_slacks_retry_schedule_then_stop() -> None:
    """Retries at once, after 1 min and after 5 min (scaled by the clock), then none."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = make_fake(delivery_timeout=0.3, retry_clock=RetryClock(scale=0.5, sleep=sleep))
    headers: list[dict[str, str]] = []

    async def events(request: Request) -> Response:
        headers.append(dict(request.headers))
        return PlainTextResponse("down", status_code=503)

    async with serve_app(
        Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    ) as url:
        fake.set_request_url(f"{url}/slack/events")
        await fake.user_posts(ALICE, STORE, "anyone?")

    delivery = fake.deliveries[-1]
    assert not delivery.ok
    assert [a.retry_num for a in delivery.attempts] == [0, 1, 2, 3]
    assert [h.get("x-slack-retry-num") for h in headers] == [None, "1", "2", "3"]
    assert {h.get("x-slack-retry-reason") for h in headers[1:]} == {"http_error"}
    assert slept == [30.0, 150.0]  # 60 s and 300 s at half speed; the first retry is at once
    await fake.aclose()


def test_retry_clock_refuses_negative_time() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        RetryClock(scale=-1)


# -- Web API faults, files, errors -------------------------------------------------------------


async def test_rate_limit_raises_or_is_retried(fake: FakeSlack, fake_url: str) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_url).chat_postMessage(channel=STORE, text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "1"

    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    client = web_client(fake_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(1)])
    started = time.monotonic()
    response = await client.chat_postMessage(channel=STORE, text="hi again")
    assert response["ok"]
    assert time.monotonic() - started >= 1.0
    assert [m["text"] for m in fake.messages(STORE)] == ["hi again"]


async def test_server_error_then_success_with_retry_handler(fake: FakeSlack, fake_url: str) -> None:
    fake.fail_next("*", status=500)
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_url).auth_test()
    assert raised.value.response.status_code == 500

    fake.fail_next("auth.test", status=500)
    client = web_client(fake_url, retry_handlers=[AsyncServerErrorRetryHandler(1)])
    response = await client.auth_test()
    assert response["user_id"] == "U0TANDEMBOT"
    assert response["bot_id"] == "B0TANDEMBOT"
    assert [m for m, _ in fake.calls] == ["auth.test"] * 3


async def test_a_fault_after_the_call_posts_and_answers_500(fake: FakeSlack, fake_url: str) -> None:
    """Slack posted, and its answer was lost: the message is there, the caller saw a 500."""
    fake.fail_next("chat.postMessage", status=500, after=True)
    client = web_client(fake_url)
    metadata = {"event_type": "tandem_post", "event_payload": {"job": "j1"}}
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=STORE, text="hi", metadata=metadata)
    assert raised.value.response.status_code == 500
    [posted] = fake.messages(STORE)
    assert posted["text"] == "hi"
    # Slack shows a message's metadata only to those who ask for it.
    plain = await client.conversations_history(channel=STORE)
    assert "metadata" not in plain["messages"][0]
    asked = await client.conversations_history(channel=STORE, include_all_metadata=True)
    assert asked["messages"][0]["metadata"] == metadata


async def test_files_upload_v2_into_thread_and_download(fake: FakeSlack, fake_url: str) -> None:
    client = web_client(fake_url)
    parent = await post_handoff(client)
    uploaded = await client.files_upload_v2(
        channel=STORE,
        thread_ts=parent,
        content=b"%PDF-1.7 receipt",
        filename="receipt.pdf",
        title="Receipt",
        initial_comment="Here it is",
    )
    file_id = uploaded["file"]["id"]
    stored = fake.files[file_id]
    share = fake.thread(STORE, parent)[-1]
    info = await client.files_info(file=file_id)

    assert (stored.data, stored.name, stored.title) == (
        b"%PDF-1.7 receipt",
        "receipt.pdf",
        "Receipt",
    )
    assert (stored.channel, stored.thread_ts) == (STORE, parent)
    assert share["subtype"] == "file_share"
    assert share["text"] == "Here it is"
    url = share["files"][0]["url_private_download"]
    assert url == info["file"]["url_private_download"]
    assert url.startswith(fake_url)
    async with httpx.AsyncClient(trust_env=False) as http:
        allowed = await http.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        refused = await http.get(url)
    assert allowed.content == b"%PDF-1.7 receipt"
    assert refused.status_code == 403


async def test_employee_upload_reaches_app_which_downloads_it(
    fake: FakeSlack, bolt: AsyncApp
) -> None:
    downloads: list[bytes] = []

    @bolt.event("message")
    async def on_message(event: JSON) -> None:
        url = event["files"][0]["url_private_download"]
        async with httpx.AsyncClient(trust_env=False) as http:
            got = await http.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        downloads.append(got.content)
        await bolt.client.reactions_add(
            channel=event["channel"], timestamp=event["ts"], name="eyes"
        )

    parent = await post_handoff(bolt.client)
    await fake.user_uploads(ALICE, STORE, parent, b"\x89PNG...", "shelf.png", "image/png")
    reacted = await fake.wait_for_message(STORE, lambda m: "reactions" in m, thread_ts=parent)

    assert downloads == [b"\x89PNG..."]
    assert reacted["subtype"] == "file_share"
    assert reacted["user"] == ALICE
    assert reacted["reactions"] == [{"name": "eyes", "users": ["U0TANDEMBOT"], "count": 1}]


async def test_web_api_errors_and_reads(fake: FakeSlack, fake_url: str) -> None:
    client = web_client(fake_url)
    fake.add_channel("C0QUIET", "quiet-store", bot_member=False)

    async def error_of(method: str, **params: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            await client.api_call(method, json=params)
        return str(raised.value.response["error"])

    assert await error_of("chat.postMessage", channel="C0NOPE", text="x") == "channel_not_found"
    assert await error_of("chat.postMessage", channel="C0QUIET", text="x") == "not_in_channel"
    assert await error_of("chat.postMessage", channel=STORE) == "no_text"
    assert await error_of("chat.postMessage", channel=STORE, text="x" * 40_001) == "msg_too_long"
    assert await error_of("chat.postMessage", channel=STORE, text="x", thread_ts="1.2") == (
        "thread_not_found"
    )
    assert await error_of("chat.update", channel=STORE, ts="1.2", text="x") == "message_not_found"
    assert await error_of("users.info", user="U0NOBODY") == "user_not_found"
    assert await error_of("pins.add", channel=STORE) == "unknown_method"
    for token, error in [("xoxb-wrong", "invalid_auth"), (None, "not_authed")]:
        with pytest.raises(SlackApiError, match=error):
            await AsyncWebClient(token=token, base_url=f"{fake_url}/api/").auth_test()
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await web_client(fake_url, token=APP_TOKEN).auth_test()

    await client.conversations_join(channel="quiet-store")  # by name, like chat.postMessage
    posted = await client.chat_postMessage(channel="#quiet-store", text="first")
    await client.chat_postMessage(channel="C0QUIET", text="second", thread_ts=posted["ts"])
    updated = await client.chat_update(channel="C0QUIET", ts=posted["ts"], text="first!")
    history = await client.conversations_history(channel="C0QUIET")
    replies = await client.conversations_replies(channel="C0QUIET", ts=posted["ts"])
    link = await client.chat_getPermalink(channel="C0QUIET", message_ts=posted["ts"])
    alice = await client.users_info(user=ALICE)
    members = await client.conversations_members(channel=STORE)

    assert float(posted["ts"]) < float(replies["messages"][1]["ts"])
    assert updated["message"]["edited"]["user"] == "U0TANDEMBOT"
    assert [m["text"] for m in history["messages"]] == ["first!"]
    assert [m["text"] for m in replies["messages"]] == ["first!", "second"]
    assert link["permalink"].endswith(f"/archives/C0QUIET/p{posted['ts'].replace('.', '')}")
    assert alice["user"]["profile"]["display_name"] == "alice"
    assert alice["user"]["tz"] == "Europe/Berlin"
    assert set(members["members"]) == {ALICE, BOB, "U0TANDEMBOT"}
    assert (await client.chat_delete(channel="C0QUIET", ts=posted["ts"]))["ok"]
    assert [m["text"] for m in fake.messages("C0QUIET")] == ["second"]
    with pytest.raises(TimeoutError, match=r"posted so far \(1\):\n.*'second'"):
        await fake.wait_for_message("C0QUIET", lambda m: m["text"] == "third", timeout=0.05)


async def test_mounted_under_a_prefix() -> None:
    fake = make_fake()
    outer = Starlette(routes=[Mount("/slack", app=fake.app)])
    async with serve_app(outer, ws="websockets-sansio") as url:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{url}/slack/api/")
        uploaded = await client.files_upload_v2(channel=STORE, content=b"hi", filename="a.txt")
        opened = await client.apps_connections_open(app_token=APP_TOKEN)
        async with httpx.AsyncClient(trust_env=False) as http:
            listed = await http.get(f"{url}/slack/_fake/channels")

    assert uploaded["file"]["url_private"].startswith(f"{url}/slack/files/")
    assert str(opened["url"]).startswith(f"ws{url.removeprefix('http')}/slack/socket?ticket=")
    assert [c["name"] for c in listed.json()["channels"]] == ["riverside-store"]
    assert fake.base_url == f"{url}/slack"
    await fake.aclose()


# -- Socket Mode -------------------------------------------------------------------------------


async def test_socket_mode_event_click_and_command(fake: FakeSlack, fake_url: str) -> None:
    app = bolt_app(fake_url)
    events: list[JSON] = []

    @app.event("message")
    async def on_message(event: JSON, say: Any) -> None:
        events.append(event)
        if event.get("subtype") is None:
            await say(text="on it", thread_ts=event["ts"])

    @app.action("take_over")
    async def take_over(ack: AsyncAck, body: JSON, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=f"{body['user']['name']} took over")

    @app.command("/tandem")
    async def tandem(ack: AsyncAck) -> None:
        await ack(text="Tandem is running")

    fake.set_request_url("http://127.0.0.1:9/unused")  # Socket Mode must win
    handler = AsyncSocketModeHandler(app, APP_TOKEN)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await fake.wait_for_socket()
        posted = await fake.user_posts(BOB, STORE, "anyone?")
        await fake.wait_for_message(STORE, lambda m: m["text"] == "on it", thread_ts=posted["ts"])
        edited = await fake.user_edits(BOB, STORE, posted["ts"], "anyone here?")
        ts = await post_handoff(app.client)
        click = await fake.user_clicks(ALICE, STORE, ts, "take_over", value="conv-42")
        taken = await fake.wait_for_ephemeral(ALICE, lambda e: "took over" in e["text"])
        command = await fake.user_runs_command(ALICE, STORE, "/tandem", "")
        await fake.drain()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]

    assert [(e.get("user") or e["message"]["user"], e.get("subtype")) for e in events] == [
        (BOB, None),
        (BOB, "message_changed"),  # bolt routes every message subtype to "message"
    ]
    assert events[1]["message"]["text"] == edited["text"] == "anyone here?"
    assert events[1]["previous_message"]["text"] == "anyone?"
    assert click.mode == "socket"
    assert click.ok
    assert click.attempts[0].elapsed < 1.0
    assert taken["text"] == "alice took over"
    assert command.response == {"text": "Tandem is running"}
    assert all(d.mode == "socket" and d.ok for d in fake.deliveries)


async def test_socket_mode_hello_ack_and_resend() -> None:
    fake = make_fake(delivery_timeout=0.3)
    async with serve_app(fake.app, ws="websockets-sansio") as url:
        opened = await web_client(url, token=APP_TOKEN).apps_connections_open(app_token=APP_TOKEN)
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await session.ws_connect(f"{url.replace('http', 'ws')}/socket?ticket=forged")
            async with session.ws_connect(str(opened["url"]), autoping=False) as ws:
                hello = await ws.receive_json()
                await ws.ping(b"sdk-ping-pong:1")  # what SocketModeClient sends to detect staleness
                pong = await ws.receive()
                await fake.wait_for_socket()
                posting = asyncio.create_task(fake.user_posts(ALICE, STORE, "hi"))
                first = await ws.receive_json()  # not acked: Slack re-sends it
                second = await ws.receive_json()
                await ws.send_json({"envelope_id": second["envelope_id"]})
                await posting
        await fake.aclose()

    assert hello["type"] == "hello"
    assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"sdk-ping-pong:1")
    assert hello["connection_info"] == {"app_id": "A0TANDEMAPP"}
    assert first["envelope_id"] == second["envelope_id"]
    assert first["type"] == "events_api"
    assert (first["retry_attempt"], second["retry_attempt"]) == (0, 1)
    assert second["retry_reason"] == "timeout"
    assert first["accepts_response_payload"] is False
    delivery = fake.deliveries[-1]
    assert [(a.status, a.error) for a in delivery.attempts] == [(None, "timeout"), (200, None)]
    assert not fake.socket_connected


# -- /_fake control API ------------------------------------------------------------------------


async def test_control_api(fake: FakeSlack, fake_url: str) -> None:
    ts = await post_handoff(web_client(fake_url))
    async with httpx.AsyncClient(base_url=f"{fake_url}/_fake", trust_env=False) as http:
        posted = await http.post("/post", json={"user": ALICE, "channel": STORE, "text": "hi"})
        reply = {"user": BOB, "channel": "riverside-store", "text": "yo", "thread_ts": ts}
        assert (await http.post("/post", json=reply)).status_code == 200
        click = await http.post(
            "/click",
            json={"user": ALICE, "channel": STORE, "message_ts": ts, "action_id": "take_over"},
        )
        command = await http.post(
            "/command", json={"user": ALICE, "channel": STORE, "command": "/tandem", "text": "x"}
        )
        faults = await http.post("/faults", json={"method": "auth.test", "status": 500})
        channels = (await http.get("/channels")).json()["channels"]
        messages = (await http.get(f"/channels/{STORE}/messages")).json()["messages"]
        users = (await http.get("/users")).json()["users"]
        ephemerals = (await http.get("/ephemerals", params={"user": ALICE})).json()
        bad = {
            "missing field": await http.post("/post", json={"user": ALICE, "channel": STORE}),
            "not json": await http.post("/post", content=b"{nope"),
            "unknown channel": await http.post(
                "/post", json={"user": ALICE, "channel": "C0NOPE", "text": "x"}
            ),
            "unknown user": await http.post(
                "/post", json={"user": "U0NOPE", "channel": STORE, "text": "x"}
            ),
            "no such button": await http.post(
                "/click", json={"user": ALICE, "channel": STORE, "message_ts": ts, "action_id": "x"}
            ),
            "bad command": await http.post(
                "/command", json={"user": ALICE, "channel": STORE, "command": "tandem"}
            ),
            "bad fault": await http.post("/faults", json={"method": "*", "status": 418}),
        }
        missing_channel = await http.get("/channels/C0NOPE/messages")

    assert posted.json()["message"]["user"] == ALICE
    assert click.json()["delivery"]["mode"] == "none"  # no app is connected
    assert command.json()["ok"] is False
    assert faults.json()["queued"] == [
        {"method": "auth.test", "status": 500, "remaining": 1, "retry_after": 1, "after": False}
    ]
    assert [c["id"] for c in channels] == [STORE]
    assert channels[0]["message_count"] == 3
    assert [(m["text"], m["reply_count"]) for m in messages] == [
        ("Customer needs a human", 1),
        ("hi", 0),
    ]
    assert messages[0]["replies"][0]["text"] == "yo"
    assert {u["id"] for u in users} == {ALICE, BOB, "U0TANDEMBOT"}
    assert ephemerals == {"ephemerals": []}
    for name, response in bad.items():
        assert response.status_code == 400, name
        assert response.json()["error"], name
    assert "channel_not_found" in bad["unknown channel"].json()["error"]
    assert "button_not_found" in bad["no such button"].json()["error"]
    assert missing_channel.status_code == 404

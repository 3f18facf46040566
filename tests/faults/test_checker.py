"""The checker itself: given chats and a Slack channel that break each invariant, it
names every break (no worker, no Rasa: the fakes' state is written directly)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from playground.app import Playground
from tests.faults.checker import find_problems
from tests.faults.traffic import DATA, JSON, Card, Message, Reply, Traffic, chat_of

DESK = "C0RIVERSIDE"
BOT = {"bot_id": "B0TANDEMBOT", "user": "U0TANDEMBOT"}
LUIS = "U0LUIS01"


@pytest_asyncio.fixture(loop_scope="session")
async def traffic() -> AsyncIterator[Traffic]:
    pg = Playground.for_business(DATA)
    yield Traffic(pg)
    await pg.telegram.aclose()
    await pg.slack.aclose()


async def customer(traffic: Traffic, message: Message) -> None:
    await traffic.pg.telegram.customer_sends(chat_of(message.customer), message.text)
    traffic.sent.append(message)


def bot(traffic: Traffic, who: int, text: str) -> None:
    state = traffic.pg.telegram.state
    state.add_message(state.chats[chat_of(who)], from_bot=True, fields={"text": text})


async def slack_post(traffic: Traffic, text: str, thread_ts: str | None = None) -> str:
    workspace = traffic.pg.slack.workspace
    blocks: list[JSON] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if thread_ts is None:  # a card, with its Take over button
        blocks.append({"type": "actions", "elements": [{"action_id": "take_over"}]})
    fields = {**BOT, "text": text, "blocks": blocks}
    posted = await workspace.post(workspace.channel(DESK), fields, thread_ts=thread_ts)
    if thread_ts is None:
        traffic.cards[posted["ts"]] = Card(DESK, posted["ts"], dict(posted))
    return str(posted["ts"])


async def test_checker_names_every_broken_invariant(traffic: Traffic) -> None:
    m1 = Message(1, 1, "What is your returns policy? #c1-m1", "90 days")
    m2 = Message(1, 2, "I want to speak to a real person please #c1-m2", None)
    m3 = Message(1, 3, "Do you sell gift cards? #c1-m3", "never expire")
    m4 = Message(1, 4, "My order never arrived #c1-m4", None)
    lost = Message(2, 1, "Do you take Apple Pay? #c2-m1", "Google Pay")
    await customer(traffic, m1)
    bot(traffic, 1, "You can return most items within 90 days.")
    bot(traffic, 1, "You can return most items within 90 days.")  # answered twice
    await customer(traffic, m2)
    # no holding message: the customer is never told
    card = await slack_post(traffic, f"Blake: {m1.text}\nbot: ...\nBlake: {m2.text}")
    await customer(traffic, m3)
    await customer(traffic, m4)
    await slack_post(traffic, f"Blake: {m4.text}", card)  # out of order in the thread
    await slack_post(traffic, f"Blake: {m3.text}", card)
    await slack_post(traffic, f"Blake: {m3.text}", card)  # twice
    traffic.claimed[1] = 1
    bot(traffic, 1, "Hello, this is Luis from our Riverside store.")
    for seq in (1, 2, 3):
        traffic.replies.append(Reply(1, seq, f"Reply #c1-r{seq}", LUIS, card))
    bot(traffic, 1, "Luis: Reply #c1-r2")
    bot(traffic, 1, "Luis: Reply #c1-r1")  # out of order; r3 never arrives
    bot(traffic, 1, "Luis: Reply #c2-r1")  # another customer's
    await customer(traffic, lost)

    problems, trace = find_problems(traffic)

    twice = [p for p in problems if p.startswith("#c1-m3 in Slack 2 times: reply C0")]
    assert len(twice) == 1, "\n".join(problems)
    assert [p for p in problems if p not in twice] == [
        "#c1-m1 answered 2 times by the bot",
        "customer 1 got 0 holding messages for their handoff",
        "customer 1's messages out of order in Slack: m1, m2, m4, m3",
        "employee reply #c1-r3 never reached the customer: 'Reply #c1-r3'",
        "customer 1 got other customers' employee replies: ['#c2-r1']",
        "customer 1's employee replies out of order: r2, r1",
        "#c2-m1 neither answered nor in Slack: 'Do you take Apple Pay? #c2-m1'",
    ], "\n".join(problems)
    assert "telegram: C m1 | B answer m1 | B answer m1 | C m2" in trace


async def test_checker_accepts_a_clean_handoff(traffic: Traffic) -> None:
    m1 = Message(3, 1, "Where is the Northgate store? #c3-m1", "18900 Livernois")
    m2 = Message(3, 2, "I want to speak to a real person please #c3-m2", None)
    m3 = Message(3, 3, "Do you take Apple Pay? #c3-m3", "Google Pay")
    await customer(traffic, m1)
    await customer(traffic, m2)
    bot(traffic, 3, "Our Northgate store is at 18900 Livernois Ave.")
    bot(traffic, 3, "Thank you. I've passed your message to Luis.")
    card = await slack_post(traffic, f"Casey: {m1.text}\nbot: 18900 Livernois\nCasey: {m2.text}")
    traffic.claimed[3] = 1
    bot(traffic, 3, "Hello, this is Luis from our Riverside store.")
    await customer(traffic, m3)
    await slack_post(traffic, f"Casey: {m3.text}", card)
    traffic.replies.append(Reply(3, 1, "Sure #c3-r1", LUIS, card))
    bot(traffic, 3, "Luis: Sure #c3-r1")

    problems, _ = find_problems(traffic)

    assert problems == []

"""The invariants of issue 7 after a fault, checked on what customers and employees see.

After the fault heals and the traffic drains:
- every customer message is answered by the bot (a bot message after it with its
  answer's words) or is in its chat's Slack thread: on the card (as first posted) or as
  a thread reply;
- no customer message is in Slack twice (two thread replies, or the card's newest message,
  the one that caused the handoff, again as a reply, or on two cards), none is both
  answered and posted to Slack, no bot answer arrives twice;
- the customer is told of the handoff once (the holding message) and meets the employee
  who took over once (the intro);
- every employee reply (by the owner, after Slack showed the claim) reaches the customer,
  exactly once;
- per chat, order is kept: customer messages in the thread, employee replies at the
  customer and bot answers in the order they were sent, and no message is answered by the
  bot after an earlier one went to a person (nothing in this traffic hands back to the bot).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.faults.traffic import (
    CUSTOMER_TOKEN,
    JSON,
    REPLY_TOKEN,
    Message,
    Traffic,
    chat_of,
    is_card,
)

HOLDING = "passed your message"  # the holding message after a handoff (handoff/texts/promises.py)
INTRO = "Hello, this is"  # the employee's introduction after a claim (handoff/flows/desk.py)


@dataclass(frozen=True)
class Entry:
    """A customer message seen in Slack."""

    ts: str
    thread: str
    channel: str
    seq: int
    kind: str  # "card" (its newest message, which caused the handoff), "card context",
    # "reply" or "top-level"
    position: int = 0  # its place among the customer's messages in this Slack message

    def __str__(self) -> str:
        return f"{self.kind} {self.channel}/{self.ts}"


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


def slack_entries(traffic: Traffic) -> tuple[dict[int, list[Entry]], dict[int, list[Entry]]]:
    """Per customer: their messages in Slack (each card's newest customer message, which
    caused the handoff, and thread replies), and the older ones a card shows as context."""
    entries: dict[int, list[Entry]] = defaultdict(list)
    context: dict[int, list[Entry]] = defaultdict(list)
    slack = traffic.pg.slack
    for channel in list(slack.workspace.channels):
        for message in slack.messages(channel):
            ts = message["ts"]
            thread = str(message.get("thread_ts") or ts)
            card = traffic.cards.get(ts)
            if card is not None or (thread == ts and is_card(message)):
                shown = card.snapshot if card is not None else message  # as first posted
                for customer, found in _tokens(json.dumps(shown["blocks"])).items():
                    *older, newest = found  # the card lists recent messages oldest first
                    entries[customer].append(Entry(ts, ts, channel, newest, "card", len(older)))
                    context[customer] += [
                        Entry(ts, ts, channel, s, "card context", n) for n, s in enumerate(older)
                    ]
                continue
            body = json.dumps([message.get("text"), message.get("blocks")])
            kind = "reply" if thread != ts else "top-level"
            for customer, found in _tokens(body).items():
                entries[customer] += [
                    Entry(ts, thread, channel, s, kind, n) for n, s in enumerate(found)
                ]
    return entries, context


def _tokens(text: str) -> dict[int, list[int]]:
    """Per customer, the numbers of their messages in `text`, in the order they last appear
    (a card's recent messages come last on it, oldest first)."""
    found: dict[int, list[int]] = defaultdict(list)
    for match in CUSTOMER_TOKEN.finditer(text):
        customer, seq = int(match.group(1)), int(match.group(2))
        if seq in found[customer]:
            found[customer].remove(seq)
        found[customer].append(seq)
    return found


@dataclass
class ChatView:
    """One customer's chat as the customer sees it, read against what was sent."""

    customer: int
    sent: list[Message]
    position: dict[int, int]  # message seq -> index in the chat
    answers: dict[int, list[int]]  # message seq -> indexes of the bot's answers to it
    delivered: dict[int, list[int]]  # employee reply seq -> indexes at the customer
    holding: int  # holding messages received
    intros: int  # employees' introductions received
    trace: list[str]
    misrouted: list[str] = field(default_factory=list)  # other customers' employee replies


def read_chat(traffic: Traffic, customer: int) -> ChatView:
    sent = sorted((m for m in traffic.sent if m.customer == customer), key=lambda m: m.seq)
    markers = {m.marker: m.seq for m in sent if m.marker}
    view = ChatView(customer, sent, {}, defaultdict(list), defaultdict(list), 0, 0, [])
    for message in traffic.pg.telegram.messages(chat_of(customer)):
        text, index = text_of(message), int(message["index"])
        if not message["from_bot"]:
            for match in CUSTOMER_TOKEN.finditer(text):
                view.position[int(match.group(2))] = index
                view.trace.append(f"C m{match.group(2)}")
            continue
        replies = [(int(m.group(1)), int(m.group(2))) for m in REPLY_TOKEN.finditer(text)]
        if replies:
            for to, seq in replies:
                if to == customer:
                    view.delivered[seq].append(index)
                else:
                    view.misrouted.append(f"#c{to}-r{seq}")
            view.trace.append("E " + ",".join(f"#c{to}-r{s}" for to, s in replies))
        elif HOLDING in text:
            view.holding += 1
            view.trace.append("B holding")
        elif INTRO in text:
            view.intros += 1
            view.trace.append("B intro")
        elif answered := [seq for marker, seq in markers.items() if marker in text]:
            for seq in answered:
                view.answers[seq].append(index)
            view.trace.append("B answer " + ",".join(f"m{s}" for s in answered))
        else:
            view.trace.append(f"B {text[:28]!r}")
    return view


def resent_in_flight(traffic: Traffic, view: ChatView, copies: list[int]) -> bool:
    """Twice, because the first copy was the send in flight when the worker was SIGKILLed.

    A lane sends one message at a time, so per chat at most one send can be cut off between
    Telegram accepting it and Redis recording it done; the next holder sends it again. The
    Bot API has no way to ask whether a message went out, so this one copy is the price of
    never losing it. Only that message, and only one extra copy, is let through."""
    last = traffic.in_flight.get(chat_of(view.customer))
    return len(copies) == 2 and last is not None and copies[0] == last


def chat_problems(
    traffic: Traffic, view: ChatView, entries: list[Entry], context: list[Entry]
) -> list[str]:
    c = view.customer
    out: list[str] = []
    in_slack: dict[int, list[Entry]] = defaultdict(list)  # cards' newest and thread replies
    for entry in entries:
        in_slack[entry.seq].append(entry)
    on_card = {e.seq for e in context}
    # every customer message answered or in Slack, and only one of them, once
    for m in view.sent:
        answers, places = view.answers.get(m.seq, []), in_slack.get(m.seq, [])
        if not answers and not places and m.seq not in on_card:
            out.append(f"{m.token} neither answered nor in Slack: {m.text!r}")
        if answers and places:
            out.append(f"{m.token} both answered by the bot and in Slack ({places[0]})")
        if len(answers) > 1 and not resent_in_flight(traffic, view, answers):
            out.append(f"{m.token} answered {len(answers)} times by the bot")
        if len(places) > 1:
            out.append(f"{m.token} in Slack {len(places)} times: " + "; ".join(map(str, places)))
        if answers and m.seq in view.position and answers[0] < view.position[m.seq]:
            out.append(f"{m.token} answered before it was sent (answer mismatched?)")
    threads = {e.thread for e in (*entries, *context)}
    if len(threads) > 1:
        out.append(f"customer {c}'s messages are in {len(threads)} threads: {sorted(threads)}")
    # the customer is told of the handoff, and meets the person who took over, once
    if threads and view.holding != 1:
        out.append(f"customer {c} got {view.holding} holding messages for their handoff")
    claims = traffic.claimed.get(c, 0)
    if claims and view.intros != 1:
        out.append(f"customer {c} got {view.intros} introductions of the employee")
    # order: in the thread, of the bot's answers, and no answer after a handoff
    shown = sorted((*entries, *context), key=lambda e: (_ts(e.ts), e.position))
    slack_order = _first_seen([e.seq for e in shown])
    if slack_order != sorted(slack_order):
        out.append(f"customer {c}'s messages out of order in Slack: {_ms(slack_order)}")
    answer_order = [s for s, _ in sorted(view.answers.items(), key=lambda kv: kv[1][0])]
    if answer_order != sorted(answer_order):
        out.append(f"customer {c}'s bot answers out of order: {_ms(answer_order)}")
    if in_slack:
        first = min(in_slack)
        late = sorted(s for s in view.answers if s > first)
        if late:
            out.append(
                f"customer {c}: {_ms(late)} answered by the bot after m{first} had gone to a "
                "person (processed out of order)"
            )
    # employee replies: each at the customer once, in order
    posted = sorted((r for r in traffic.replies if r.customer == c), key=lambda r: r.seq)
    for reply in posted:
        count = len(view.delivered.get(reply.seq, []))
        if count == 2 and resent_in_flight(traffic, view, view.delivered[reply.seq]):
            count = 1
        if count != 1:
            what = "never reached the customer" if count == 0 else f"reached them {count} times"
            out.append(f"employee reply {reply.token} {what}: {reply.text!r}")
    if view.misrouted:
        out.append(f"customer {c} got other customers' employee replies: {view.misrouted}")
    reply_order = [s for s, _ in sorted(view.delivered.items(), key=lambda kv: kv[1][0])]
    if reply_order != sorted(reply_order):
        out.append(f"customer {c}'s employee replies out of order: {_rs(reply_order)}")
    return out


def _ts(ts: str) -> tuple[int, ...]:
    """A Slack ts ("1795567254.908769") as a sortable number, exactly."""
    return tuple(int(part) for part in ts.split("."))


def _first_seen(seqs: list[int]) -> list[int]:
    seen: list[int] = []
    for seq in seqs:
        if seq not in seen:
            seen.append(seq)
    return seen


def _ms(seqs: list[int]) -> str:
    return ", ".join(f"m{s}" for s in seqs)


def _rs(seqs: list[int]) -> str:
    return ", ".join(f"r{s}" for s in seqs)


def find_problems(traffic: Traffic, *, trace_all: bool = False) -> tuple[list[str], str]:
    """Every broken invariant, one line each, and a trace of the chats concerned (of every
    chat with `trace_all`)."""
    problems = list(traffic.desk_problems)
    entries, context = slack_entries(traffic)
    traces: list[str] = []
    for customer in sorted({m.customer for m in traffic.sent}):
        view = read_chat(traffic, customer)
        found = chat_problems(traffic, view, entries[customer], context[customer])
        problems += found
        if found or trace_all:
            traces.append(_trace(view, entries[customer] + context[customer]))
    return problems, "\n".join(traces)


def _trace(view: ChatView, entries: list[Entry]) -> str:
    kinds = " ".join(f"m{m.seq}:{'F' if m.marker else 'P'}" for m in view.sent)
    slack = " | ".join(
        f"{e.kind} m{e.seq} @{e.channel}/{e.ts}"
        for e in sorted(entries, key=lambda e: (_ts(e.ts), e.position))
    )
    return (
        f"customer {view.customer} (chat {chat_of(view.customer)}) sent {kinds} "
        "(F: for the bot, P: for a person)\n"
        f"  telegram: {' | '.join(view.trace)}\n  slack: {slack or 'nothing'}"
    )


async def settle(
    traffic: Traffic,
    *,
    after: str,
    within: float,
    quiet: float = 1.5,
    context: Callable[[], str] | None = None,
) -> None:
    """Wait until the traffic has drained and every invariant holds (and keeps holding for
    `quiet` seconds, so late duplicates count); fail after `within` seconds, listing what
    is missing, duplicated or out of order."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    held_since: float | None = None
    while True:
        traffic.raise_errors()
        busy = traffic.busy
        problems, traces = find_problems(traffic)
        now = loop.time()
        if not busy and not problems:
            held_since = now if held_since is None else held_since
            if now - held_since >= quiet:
                if os.environ.get("FAULTS_TRACE"):  # e.g. FAULTS_TRACE=1 pytest -s tests/faults
                    print(f"after {after}:\n{find_problems(traffic, trace_all=True)[1]}")
                return
        else:
            held_since = None
        if now > deadline:
            break
        await asyncio.sleep(0.25)
    lines = [f"after {after}: {len(problems)} problem(s), waited {within:.0f}s for them to go"]
    lines += [f"- {p}" for p in problems]
    if busy:
        lines.append("still running: " + "; ".join(busy))
    lines.append(
        f"({len(traffic.sent)} customer messages, {len(traffic.replies)} employee replies, "
        f"{len(traffic.cards)} cards)"
    )
    if traces:
        lines += ["", traces]
    if context is not None:
        lines += ["", context()]
    raise AssertionError("\n".join(lines))

"""The dashboard's pages through the worker's HTTP app: list, marking wrong answers,
training examples, exports and metrics."""

from __future__ import annotations

import csv
import io
import json

import httpx
import yaml
from redis.asyncio import Redis

from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from tests.review.conftest import csrf_of
from tests.review.seed import MARIA, T0, Script, nlu, seed


async def seed_pair(store: ConversationStore) -> None:
    await seed(
        store,
        Script(
            1,
            "Alex",
            "downtown",
            messages=[(0, "=HYPERLINK(1) my drill is broken")],
            handoff=(1, "damaged_item", -0.6),
            claim=(120, MARIA),
            replies=[(180, "Replacing it")],
            resolve=900,
            rating=(1000, 5),
            notes=[(150, "note: check stock")],
        ),
    )
    await seed(store, Script(
        2, "Bea", "riverside", start=T0 + 60,
        messages=[(0, "can I bring back paint?")],
        bot_answers=[(1, "Returns within 30 days.", nlu("ask_returns"))],
    ))  # fmt: skip


async def test_list_filters_and_search(
    signed_in: httpx.AsyncClient, store: ConversationStore
) -> None:
    await seed_pair(store)
    everything = await signed_in.get("/review/")
    assert '<span id="total">2</span>' in everything.text
    found = await signed_in.get("/review/", params={"q": "drill", "store": "downtown"})
    assert '<span id="total">1</span>' in found.text
    assert "Alex" in found.text
    assert "Bea" not in found.text
    assert 'value="downtown" selected' in found.text
    bad = await signed_in.get("/review/", params={"status": "asleep"})
    assert bad.status_code == 200
    assert "status must be one of" in bad.text


async def test_marking_a_bot_answer_wrong_feeds_the_training_list(
    signed_in: httpx.AsyncClient, store: ConversationStore, redis: Redis
) -> None:
    await seed_pair(store)
    page = await signed_in.get("/review/c/c2")
    assert "Mark as wrong" in page.text
    marked = await signed_in.post(
        "/review/c/c2/wrong", data={"csrf": csrf_of(page.text), "index": "1", "intent": "ask_hours"}
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/review/c/c2#e1"
    again = await signed_in.get("/review/c/c2")
    assert "Marked wrong by alice (supervisor)" in again.text
    assert "wrong answer" in again.text  # the flag
    flagged = await signed_in.get("/review/", params={"flag": "wrong_answer"})
    assert '<span id="total">1</span>' in flagged.text

    not_an_answer = await signed_in.post(
        "/review/c/c2/wrong", data={"csrf": csrf_of(page.text), "index": "0", "intent": "ask_hours"}
    )
    assert not_an_answer.status_code == 400
    unknown_intent = await signed_in.post(
        "/review/c/c2/wrong", data={"csrf": csrf_of(page.text), "index": "1", "intent": "nope"}
    )
    assert unknown_intent.status_code == 400

    training = await signed_in.get("/review/training")
    assert "can I bring back paint?" in training.text
    exported = await signed_in.get("/review/training.yml")
    data = yaml.safe_load(exported.text)
    assert data["nlu"] == [{"intent": "ask_hours", "examples": "- can I bring back paint?\n"}]
    removed = await signed_in.post(
        "/review/training/remove", data={"csrf": csrf_of(training.text), "key": "c2:1"}
    )
    assert removed.status_code == 303
    assert "Nothing to add" in (await signed_in.get("/review/training")).text
    actions = [r.action for r in await AuditLog(redis).recent()]
    assert actions[:3] == ["training_added", "export_training", "view_transcript"]
    assert "mark_wrong" in actions


async def test_exports_follow_the_filters_and_are_audited(
    signed_in: httpx.AsyncClient, store: ConversationStore, redis: Redis
) -> None:
    await seed_pair(store)
    response = await signed_in.get("/review/export.csv", params={"store": "downtown"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["conversation"] for r in rows] == ["c1"]
    assert rows[0]["customer"] == "Alex"
    assert rows[0]["claimed_by"] == "Maria Gonzalez"
    assert rows[0]["time_to_human_s"] == "119.0"
    assert rows[0]["rating"] == "5"

    lines = (await signed_in.get("/review/export.jsonl")).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["conversation"] for r in records] == ["c2", "c1"]
    assert records[0]["bot_answers"] == 1
    assert records[1]["employees"] == ["Maria Gonzalez"]

    audit = await AuditLog(redis).recent()
    assert [(r.action, r.detail["format"], r.detail["count"]) for r in audit[:2]] == [
        ("export", "jsonl", 2),
        ("export", "csv", 1),
    ]
    assert json.loads(audit[1].detail["filters"]) == {"store": "downtown"}


async def test_a_formula_in_a_customer_name_stays_text_in_csv(
    signed_in: httpx.AsyncClient, store: ConversationStore
) -> None:
    await seed(store, Script(7, "=cmd|' /C calc'!A0", "downtown", messages=[(0, "hi")]))
    rows = list(csv.DictReader(io.StringIO((await signed_in.get("/review/export.csv")).text)))
    assert rows[0]["customer"] == "'=cmd|' /C calc'!A0"


async def test_metrics_page_shows_figures_and_charts(
    signed_in: httpx.AsyncClient, store: ConversationStore
) -> None:
    await seed_pair(store)
    page = await signed_in.get("/review/metrics", params={"since": "2026-11-01", "until": ""})
    assert page.status_code == 200
    assert page.text.count("<svg") == 8
    assert "1 min 59 s" in page.text  # Maria's time to a human
    assert "50%" in page.text  # answered by the bot alone, overall
    assert "Maria Gonzalez" in page.text
    assert 'width="320"' in page.text  # the longest bar of a chart
    later = await signed_in.get("/review/metrics", params={"since": "2026-12-01"})
    assert "Nobody took over a conversation in this period." in later.text

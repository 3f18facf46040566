"""A send the customer's channel refused is flagged on the conversation's page: how many,
what, why, and that nobody is offered it while the customer cannot be reached."""

from __future__ import annotations

import httpx

from handoff.core.refusals import Refusal
from handoff.core.state import Event
from handoff.storage.store import ConversationStore
from tests.review.seed import AISHA, T0, Script, seed


async def test_a_refused_reply_is_flagged_with_its_reason(
    signed_in: httpx.AsyncClient, store: ConversationStore
) -> None:
    conv = await seed(
        store,
        Script(
            chat_id=9301,
            name="Priya",
            store="riverside",
            messages=[(0, "My parcel never came")],
            handoff=(5, "negative_sentiment", -0.6),
            claim=(60, AISHA),
            replies=[(90, "Sorry about that, let me check")],
        ),
    )
    page = await signed_in.get(f"/review/c/{conv.id}")
    assert "not delivered" not in page.text  # nothing refused yet

    refused = Refusal("blocked", "a message", "Your parcel is at the depot")
    await store.append(conv.id, refused.event(T0 + 120))
    page = await signed_in.get(f"/review/c/{conv.id}")
    assert page.status_code == 200
    assert '<span class="flag" id="flag-undelivered">1 not delivered</span>' in page.text
    assert '<span class="flag" id="flag-unreachable">customer unreachable</span>' in page.text
    assert "a message (“Your parcel is at the depot”): the customer has blocked the bot" in (
        page.text
    )
    assert "Nobody is offered this conversation until the customer writes again." in page.text
    assert "Not delivered" in page.text  # the timeline's entry

    # The customer writes again: still one refusal on record, but reachable.
    said = Event("customer_message", T0 + 200, "customer", detail={"text": "Hello?"})
    await store.append(conv.id, said)
    page = await signed_in.get(f"/review/c/{conv.id}")
    assert "1 not delivered" in page.text
    assert "customer unreachable" not in page.text

"""complaints.personal_matter: complaints, requests and sensitive matters worded as
factual questions are found; the plain factual questions next to them are not."""

from __future__ import annotations

import pytest

from nlu.triage.complaints import personal_matter


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my gift card says zero balance but I never used it", "complaint"),
        ("why were my loyalty points reset?", "complaint"),
        ("why was my loyalty points balance reset?", "complaint"),
        ("you charged me twice for the deck stain", "complaint"),
        ("I got double charged at riverside", "complaint"),
        ("my points still haven't shown up from last week", "complaint"),
        ("can you hold the last two bags of grout for me until Saturday?", "request"),
        ("could you put a tin of that white aside for me", "request"),
        ("please call me back about the quote", "request"),
        ("can you change my delivery to the afternoon", "request"),
        ("my mom has dementia and bought things she didn't need, can we return them", "sensitive"),
        ("my husband passed away, what's the returns policy for his tools", "sensitive"),
        ("someone stole my gift card, can it be used online?", "sensitive"),
        ("i'm in hospital, when is the store open on sunday", "sensitive"),
    ],
)
def test_a_persons_matter_is_found(text: str, kind: str) -> None:
    matter = personal_matter(text)
    assert matter is not None, text
    assert matter.kind == kind
    assert matter.detail


@pytest.mark.parametrize(
    "text",
    [
        "what's your returns policy?",
        "do you sell gift cards",
        "how do i check my gift card balance",
        "how many points do i get per dollar",
        "can i use my gift card online",
        "how long will you keep my order before i collect it",
        "is there a store near the hospital",
        "can you cut keys?",
        "do you deliver to Dearborn",
        "can I return paint without a receipt",
        "what time do you close on christmas eve",
        "is my order ready for pickup",
    ],
)
def test_a_plain_question_is_not(text: str) -> None:
    assert personal_matter(text) is None

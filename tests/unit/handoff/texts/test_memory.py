"""What /profile and /forget say (handoff.texts.memory) and the /forget button's expiry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.care import FORGET_YES, confirmation_fresh, forget_buttons
from handoff.texts.memory import Kept, describe, forget_question, forgotten, language_name

DETROIT = ZoneInfo("America/Detroit")
HELPED = datetime(2026, 11, 24, 11, 30, tzinfo=DETROIT).timestamp()


def kept(profile: dict[str, str], transcripts: int = 0) -> Kept:
    return Kept(
        profile=profile,
        transcripts=transcripts,
        retention_days=90,
        store_name={"riverside": "Riverside"}.get,
        helper_name={"aisha-rahman": "Aisha"}.get,
        tz=DETROIT,
    )


@pytest.mark.parametrize(
    ("code", "shown"),
    [("en", "English (en)"), ("pt-br", "Portuguese (pt-br)"), ("xx", "xx"), (None, None)],
)
def test_language_name(code: str | None, shown: str | None) -> None:
    assert language_name(code) == shown


def test_describe_shows_every_field_in_plain_words() -> None:
    text = describe(
        kept(
            {
                "first_name": "Alex",
                "last_name": "Kim",
                "language": "es",
                "store": "riverside",
                "notes": "Prefers a call\n\nHas a trade account",
                "last_helper": "aisha-rahman",
                "last_helper_at": repr(HELPED),
                "conversations": "3",
                "paused": "1",  # a field this module does not know: still shown
            },
            transcripts=2,
        )
    )
    assert text.startswith("Here is everything we keep about you:\n")
    for line in (
        "• Your name, from your Telegram profile: Alex Kim",
        "• Your language, from Telegram: Spanish (es)",
        "• Your store, which you chose: Riverside",
        "   – Prefers a call\n   – Has a trade account\n",
        "• Who helped you last: Aisha, on November 24, 2026",
        "• How many conversations you have started: 3",
        "• paused: 1",
        "• The transcripts of 2 conversations",
        "Each is erased 90 days after its last message.",
    ):
        assert line in text, line


def test_describe_unknown_store_and_helper_are_still_mentioned() -> None:
    text = describe(kept({"store": "gone", "last_helper": "left-us", "last_helper_at": "x"}))
    assert "• Your store, which you chose: gone" in text
    assert "• Who helped you last: a team member (so" in text


def test_describe_nothing_kept() -> None:
    assert describe(kept({})) == "Tandem keeps nothing about you at the moment."


def test_forget_question_and_answer_are_honest() -> None:
    assert "nothing to forget" in forget_question(False)
    assert "cannot be undone" in forget_question(True)
    done = forgotten(2, 5)
    assert done.startswith("Done. Erased: your profile (5 items) and 2 conversation transcripts.")
    assert "Kept: a record that you asked us to forget you" in done
    assert forgotten(0, 0).startswith("Done. Erased: nothing was left to erase.")


def test_forget_confirmation_expires_after_ten_minutes() -> None:
    yes, no = forget_buttons(1000.0)
    assert yes.data == f"{FORGET_YES}1000"
    assert no.data == "forget:no"
    assert confirmation_fresh(f"{FORGET_YES}1000", 1000.0 + 600)
    assert not confirmation_fresh(f"{FORGET_YES}1000", 1000.0 + 601)
    assert not confirmation_fresh(f"{FORGET_YES}1000", 999.0)  # from the future: forged
    assert not confirmation_fresh(f"{FORGET_YES}soon", 1000.0)

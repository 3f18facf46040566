"""The profanity list: LDNOOBW's English list with its licence, and Tandem's changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.guard import words
from handoff.guard.words import WORDLIST_DIR, Lexicon, read_wordlist


def lexicon(not_profanity: frozenset[str] = frozenset()) -> Lexicon:
    return Lexicon(set(), set(), set(not_profanity))


def test_the_list_ships_with_its_licence_and_source() -> None:
    header = (WORDLIST_DIR / "en.txt").read_text(encoding="utf-8").splitlines()[:5]
    assert any("CC BY 4.0" in line for line in header)
    licence = (WORDLIST_DIR / "LICENSE-LDNOOBW.txt").read_text(encoding="utf-8")
    assert licence.startswith("Attribution 4.0 International")
    assert len(read_wordlist(WORDLIST_DIR / "en.txt")) > 400


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("What the hell is this?", ("hell",)),  # added by tandem.txt
        ("They fucked it up", ("fucked",)),  # an inflection en.txt lacks
        ("that is a piece of sh1t", ("sh1t",)),  # disguised
        ("a piece of shit", ("shit", "piece of shit")),  # a phrase too
        ("blonde on blonde action", ("blonde action", "blonde on blonde action")),  # 4 words
        ("here 🖕", ("🖕",)),  # an entry that is no word
        ("a butt hinge and a snatch block", ()),  # removed by tandem.txt
        ("the van is tied up until Monday; how to kill weeds", ()),
        ("Fish & chips: classes, passes and assessments", ()),
    ],
)
def test_words_phrases_and_changes(text: str, found: tuple[str, ...]) -> None:
    assert lexicon().profane_words(text) == found


def test_a_stores_trade_words_are_left_alone() -> None:
    assert lexicon().profane_words("a pipe nipple") == ("nipple",)
    assert lexicon(frozenset({"Nipple"})).profane_words("a pipe nipple") == ()


def test_a_change_without_plus_or_minus_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "en.txt").write_text("# list\nshit\n", encoding="utf-8")
    (tmp_path / "tandem.txt").write_text("hell\n", encoding="utf-8")
    monkeypatch.setattr(words, "WORDLIST_DIR", tmp_path)
    words._profanity.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"tandem.txt: 'hell' starts with neither \+ nor -"):
            lexicon()
    finally:
        words._profanity.cache_clear()

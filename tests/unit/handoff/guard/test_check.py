"""The reply-quality guard: what it finds, and what it must leave alone."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from handoff.guard.check import Finding, ReplyGuard, describe
from handoff.guard.words import Lexicon
from nlu.errors import DataError
from nlu.project import PROJECT_ROOT


@cache
def guard() -> ReplyGuard:
    return ReplyGuard(Lexicon.from_dir(PROJECT_ROOT / "data"))


def kinds(text: str, *, upset: bool = False) -> dict[str, tuple[str, ...]]:
    return {f.kind: f.words for f in guard().check(text, customer_upset=upset)}


def test_misspellings_are_found_with_suggestions() -> None:
    [finding] = guard().check("Your parcel will definately arrive tommorow.")
    assert finding.kind == "spelling"
    assert finding.words == ("definately", "tommorow")
    # Suggestions are one edit away (fast); a word further off is shown as it is.
    assert finding.hints == ("definately → definitely", "tommorow")


def test_a_misspelling_at_the_start_of_a_sentence_is_found() -> None:
    assert kinds("Thanks. Recieve it at the counter.") == {"spelling": ("Recieve",)}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("u can pick it up at 5", ("u",)),
        ("thx for waiting, pls bring the receipt", ("thx", "pls")),
        ("idk yet, btw the store is open", ("idk", "btw")),
        ("k, see you then", ("k",)),
        ("Ya we have it, ur order is in", ("Ya", "ur")),
        ("We'll have it b4 Friday", ("b4",)),
    ],
)
def test_text_speak_is_found(text: str, words: tuple[str, ...]) -> None:
    assert kinds(text) == {"text_speak": words}


def test_capital_single_letters_in_names_are_not_text_speak() -> None:
    assert kinds("The U-bolt and the R-13 insulation are in aisle 4, next to Plan B kits.") == {}


@pytest.mark.parametrize(
    "text",
    ["That is bullshit.", "What the hell happened?", "This is sh1t, sorry", "Damn, it broke."],
)
def test_profanity_is_found_even_disguised(text: str) -> None:
    assert "profanity" in kinds(text)


def test_trade_words_the_profanity_list_would_flag_are_fine() -> None:
    text = "A pipe nipple, a stopcock, a knob and weed killer: all in stock, and a flower pot."
    assert kinds(text) == {}


def test_shouting_is_found_but_acronyms_are_not_shouting() -> None:
    assert "shouting" in kinds("WE CANNOT DO THAT TODAY")
    assert kinds("Use a GFCI outlet and PVC pipe, not ABS, for the DIY job.") == {}
    assert kinds("Please do NOT run the heater overnight.") == {}


def test_links_emails_mentions_code_quotes_and_numbers_are_not_spell_checked() -> None:
    text = (
        "Track it at https://mapleandmain.example/trak/xq7 or write to "
        "riverside@mapleandmain.example; <@U0LUIS01> has `SKU-zzq-88`, the box "
        'says "Ultra Glyde Pro" and order #4471-B ships 10am.'
    )
    assert kinds(text) == {}


def test_store_words_from_the_data_files_are_accepted() -> None:
    # Streets, stores and people from stores.yml and employees.yml, at sentence start too.
    assert kinds("Hamtramck? Jefferson and Woodward both work. Aisha or Terrence can help.") == {}


def test_names_mid_sentence_are_skipped_but_not_when_everything_is_capitalised() -> None:
    assert kinds("I spoke to Zbigniew about it.") == {}
    assert "spelling" in kinds("Your Parcel Will Arive Tomorow From Zbigniew")


def test_a_one_word_reply_is_too_short_only_for_an_upset_customer() -> None:
    assert kinds("ok", upset=True) == {"too_short": ("ok",)}
    assert kinds(":thumbsup:", upset=True) == {"too_short": ()}
    assert kinds("ok") == {}
    assert kinds("I'm on it now, Alex.", upset=True) == {}
    assert guard().is_terse("Sure.")
    assert not guard().is_terse("Sure, one moment.")


def test_findings_are_described_for_the_employee() -> None:
    lines = describe(guard().check("u will recieve it", customer_upset=False))
    assert lines == ["Text-speak: u → you", "Spelling: recieve → receive"]
    assert Finding("shouting", ("NO",)).as_dict() == {"kind": "shouting", "words": ["NO"]}


def test_the_word_list_is_editable_and_checked(tmp_path: Path) -> None:
    (tmp_path / "guard_words.yml").write_text("words: [Zorbex]\nacronyms: [ZZT]\n")
    extra = ReplyGuard(Lexicon.from_dir(tmp_path))
    assert extra.check("Zorbex glue holds. ZZT ZZT ZZT is fine here.") == ()
    (tmp_path / "guard_words.yml").write_text("word: [typo]\n")
    with pytest.raises(DataError, match=r"guard_words\.yml"):
        Lexicon.from_dir(tmp_path)

"""Invisible format characters made visible (handoff/texts/bidi.py)."""

from __future__ import annotations

import unicodedata

import pytest

from handoff.texts.bidi import visible

CASES = [
    # (what was written, what a person is shown)
    ("order 4471 never came", "order 4471 never came"),
    ("", ""),
    ("order \u202e1744\u202c please", "order [U+202E]1744[U+202C] please"),
    ("see \u2066evil.example\u2069", "see [U+2066]evil.example[U+2069]"),
    ("\u2067\u2068x\u2069", "[U+2067][U+2068]x[U+2069]"),
    ("a\u200eb\u200fc\u061cd", "a[U+200E]b[U+200F]c[U+061C]d"),
    ("\u202a\u202b\u202d", "[U+202A][U+202B][U+202D]"),
    ("12\u200b34", "12[U+200B]34"),  # zero-width space: two order numbers that look alike
    ("\ufeffhello", "[U+FEFF]hello"),
    ("ab\u00adcd", "ab[U+00AD]cd"),  # soft hyphen
    ("12\u200d34", "12[U+200D]34"),  # a joiner between digits joins nothing
    ("\u200dstart", "[U+200D]start"),
    ("end\u200c", "end[U+200C]"),
    ("\u200d\u200d", "[U+200D][U+200D]"),
    ("hidden\U000e0041\U000e0042", "hidden[U+E0041][U+E0042]"),  # tag characters, no flag
    ("[U+202E] typed", "[U+202E] typed"),
]  # fmt: skip
UNCHANGED = [  # ordinary writing stays whole
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: emoji joined by U+200D
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, U+200C inside a word
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # Hebrew and Arabic
    "caf\u00e9 \u00fc\u0301",
    "\U0001f44d\U0001f3fd\ufe0f",
    "line\u2028sep",  # a separator (Zl) is not a format character
]
CASES += [(text, text) for text in UNCHANGED]


@pytest.mark.parametrize(("written", "shown"), CASES)
def test_format_characters_are_shown_as_marks(written: str, shown: str) -> None:
    assert visible(written) == shown


@pytest.mark.parametrize(("written", "shown"), CASES)
def test_applying_it_twice_changes_nothing(written: str, shown: str) -> None:
    assert visible(visible(written)) == shown


def test_no_format_character_is_left_outside_the_exceptions() -> None:
    every = "".join(chr(c) for c in range(0x80, 0x110000) if unicodedata.category(chr(c)) == "Cf")
    shown = visible(f"x{every}x")
    assert not any(unicodedata.category(c) == "Cf" for c in shown)
    assert shown.count("[U+") == len(every)

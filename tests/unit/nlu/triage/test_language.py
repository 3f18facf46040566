"""language.LanguageGuesser: the message's language from its text, with Telegram's hint
for close calls; English chat shorthand and one-word acknowledgements stay English."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest

from nlu.triage.language import LanguageGuesser

TEAM = ("en", "es", "ar", "bn", "fr", "de", "pl", "ta", "hi", "yo", "zh")


@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser(TEAM)


@pytest.mark.parametrize(
    ("text", "hint", "code"),
    [
        ("¿a qué hora abren mañana?", None, "es"),
        ("a que hora cierran hoy", None, "es"),
        ("tienen estacionamiento en riverside", None, "es"),
        ("هل المحل مفتوح اليوم؟", None, "ar"),
        ("你们今天几点关门？", None, "zh"),
        ("czy jesteście otwarci w niedzielę?", None, "pl"),
        ("hallo, habt ihr sonntag offen?", None, "de"),
        ("Bonjour, vous êtes ouverts dimanche ?", None, "fr"),
        ("donde esta la tienda", "es", "es"),  # a close call (French?) the hint settles
        ("gracias", "es", "es"),  # one word: only with the hint
    ],
)
def test_another_language(guesser: LanguageGuesser, text: str, hint: str | None, code: str) -> None:
    assert guesser.detect(text, hint).code == code


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("ok", "es"),
        ("k", None),
        ("👍", "ar"),
        ("perfect", "es"),
        ("sure", "fr"),
        ("thx", None),
        ("opening hrs pls", None),
        ("my order", None),
        ("can i pay by cheque", None),
        ("what time do you open tomorrow", "es"),
        ("is riverside open on christmas day?", "pl"),
        ("my gift card says zero balance but i never used it", "zh"),
    ],
)
def test_english_stays_english(guesser: LanguageGuesser, text: str, hint: str | None) -> None:
    assert guesser.detect(text, hint).english


def test_telegram_region_tags_are_read_as_languages(guesser: LanguageGuesser) -> None:
    assert guesser.detect("donde esta la tienda", "es-MX").code == "es"


def test_a_detector_is_built_once_per_language_set() -> None:
    a, b = LanguageGuesser(["es", "pl"]), LanguageGuesser(["pl", "es", "en"])
    assert a._detector is b._detector


def test_only_english_detects_nothing_else() -> None:
    assert LanguageGuesser([]).detect("¿a qué hora abren mañana?").english


def test_it_is_cheap(guesser: LanguageGuesser) -> None:
    """Well under a millisecond a message at the median, without hundreds of MB."""
    texts = ["ok", "what time do you open tomorrow", "¿a qué hora abren mañana?", "هل المحل مفتوح"]
    took = []
    for _ in range(50):
        for text in texts:
            start = time.perf_counter()
            guesser.detect(text, "es")
            took.append(time.perf_counter() - start)
    p50 = statistics.median(took)
    print(f"language detection p50 {p50 * 1e6:.0f} µs")
    assert p50 < 0.5e-3


def test_its_models_are_small() -> None:
    """Low-accuracy models: tens of MB (high accuracy would add over 200 MB). Measured in a
    fresh interpreter, as lingua keeps loaded models for the whole process."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from nlu.triage.language import LanguageGuesser\n"
        "def rss():\n"
        "    pages = int(Path('/proc/self/statm').read_text().split()[1])\n"
        "    return pages * resource.getpagesize() / 2**20\n"
        "before = rss()\n"
        f"LanguageGuesser({TEAM!r}).detect('hola, que tal')\n"
        "print(rss() - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    grown = float(out.stdout.strip())
    print(f"language models: {grown:.0f} MB")
    assert grown < 80

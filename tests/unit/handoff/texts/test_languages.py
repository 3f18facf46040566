"""The holding message in the customer's language (handoff.texts.languages), and the
language a customer writes in, as the card and /profile show it (handoff.texts.memory)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.texts.languages import holding_in, supported
from handoff.texts.memory import Kept, card_language, describe
from handoff.texts.promises import Holding
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.project import PROJECT_ROOT

OPEN = Holding("Alex", "Maria", "Downtown")
NOBODY = Holding(None, None, None)
# Saturday 22:00; the store opens on Monday at 7:00 (store-local times).
SATURDAY_NIGHT = datetime(2026, 12, 5, 22)
CLOSED = Holding("Alex", "Maria", "Downtown", opens_at=datetime(2026, 12, 7, 7), now=SATURDAY_NIGHT)
TOMORROW = Holding(
    "Alex", "Aisha", "Riverside", opens_at=datetime(2026, 12, 6, 9, 30), now=SATURDAY_NIGHT
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "Gracias, Alex. He pasado su mensaje a Maria, de nuestra tienda Downtown, que le "
               "responderá aquí lo antes posible."),
        ("es-MX", "Gracias, Alex. He pasado su mensaje a Maria, de nuestra tienda Downtown, que "
                  "le responderá aquí lo antes posible."),
        ("ar", "شكرًا لك يا Alex. لقد أحلتُ رسالتك إلى Maria في متجرنا Downtown، وسيصلك الرد "
               "هنا في أقرب وقت ممكن."),
        ("pl", "Dziękujemy, Alex. Wiadomość została przekazana; odpowie Maria z naszego sklepu "
               "Downtown – tutaj, najszybciej jak to możliwe."),
        ("zh", "谢谢您，Alex。我已将您的消息转给Maria（我们的Downtown门店），"
               "对方会尽快在这里回复您。"),
    ],
)  # fmt: skip
def test_who_will_reply_in_the_customers_language(language: str, expected: str) -> None:
    assert holding_in(language, OPEN) == expected


def test_without_a_name_or_store() -> None:
    assert holding_in("es", NOBODY) == (
        "Gracias. He pasado su mensaje a un miembro de nuestro equipo, que le responderá aquí "
        "lo antes posible."
    )
    assert holding_in("zh", NOBODY) == (
        "谢谢您。我已将您的消息转给我们团队的一位同事，对方会尽快在这里回复您。"
    )


def test_a_closed_store_says_when_it_opens() -> None:
    assert holding_in("es", CLOSED) == (
        "Gracias, Alex. Nuestra tienda Downtown está cerrada en este momento y abre el lunes a "
        "las 7:00. He pasado su mensaje a Maria, que lo atenderá entonces y le responderá aquí."
    )
    assert "mañana a las 9:30" in (holding_in("es", TOMORROW) or "")
    assert "w poniedziałek o godz. 7:00" in (holding_in("pl", CLOSED) or "")
    assert "غدًا الساعة 9:30" in (holding_in("ar", TOMORROW) or "")
    assert "星期一7:00开门" in (holding_in("zh", CLOSED) or "")


@pytest.mark.parametrize("holding", [OPEN, NOBODY, CLOSED, TOMORROW])
def test_arabic_reads_right_to_left_without_hidden_marks(holding: Holding) -> None:
    text = holding_in("ar", holding) or ""
    strong = next(c for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL"))
    assert unicodedata.bidirectional(strong) == "AL"  # the paragraph is right-to-left
    assert not any(unicodedata.category(c) == "Cf" for c in text)  # no invisible marks


def test_every_language_the_team_speaks_is_covered_or_falls_back_to_english() -> None:
    stores = StoreDirectory.load(PROJECT_ROOT / "data" / "stores.yml")
    team = EmployeeDirectory.load(PROJECT_ROOT / "data" / "employees.yml", stores)
    spoken = {lang for e in team for lang in e.languages} - {"en"}
    assert {"es", "ar", "pl", "zh"} <= {lang for lang in spoken if supported(lang)}
    assert holding_in("yo", OPEN) is None  # no wording: the caller sends the English text
    assert holding_in(None, OPEN) is None


def test_the_language_they_write_in_on_the_card_and_in_profile() -> None:
    assert card_language({"language": "en", "writes_in": "es"}) == "Spanish (es), in their messages"
    assert card_language({"language": "en"}) == "English (en)"
    assert card_language({}) is None
    shown = describe(
        Kept(
            profile={"first_name": "Ana", "language": "en", "writes_in": "es"},
            transcripts=0,
            retention_days=90,
            store_name=lambda _s: None,
            helper_name=lambda _h: None,
            tz=ZoneInfo("America/Detroit"),
        )
    )
    assert "The language you write to us in: Spanish (es)" in shown
    assert "writes_in" not in shown  # in words, not as a raw field

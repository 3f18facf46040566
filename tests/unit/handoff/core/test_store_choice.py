"""The store a handoff is about: named, asked about, home, the only one, or ask."""

from __future__ import annotations

import pytest

from handoff.core.store_choice import Basis, StoreChoice, answered, choose, why

STORES = ("downtown", "riverside")


def test_the_store_named_in_the_message_wins_over_everything() -> None:
    got = choose(named="riverside", asked="downtown", home="downtown", store_ids=STORES)
    assert got == StoreChoice("riverside", Basis.NAMED)


def test_the_store_asked_about_earlier_wins_over_the_home_store() -> None:
    got = choose(named=None, asked="riverside", home="downtown", store_ids=STORES)
    assert got == StoreChoice("riverside", Basis.ASKED)
    assert not got.ask


def test_the_home_store_when_nothing_else_is_known() -> None:
    assert choose(named=None, asked=None, home="downtown", store_ids=STORES) == StoreChoice(
        "downtown", Basis.HOME
    )


def test_with_no_store_anywhere_the_customer_is_asked() -> None:
    got = choose(named=None, asked=None, home=None, store_ids=STORES)
    assert got.store_id is None
    assert got.ask


def test_a_store_no_longer_in_the_directory_is_skipped() -> None:
    got = choose(named=None, asked="harbour", home="downtown", store_ids=STORES)
    assert got == StoreChoice("downtown", Basis.HOME)
    assert choose(named=None, asked=None, home="harbour", store_ids=STORES).ask


def test_one_store_needs_no_question_and_none_has_nothing_to_ask() -> None:
    assert choose(named=None, asked=None, home=None, store_ids=("only",)) == StoreChoice(
        "only", Basis.ONLY
    )
    nothing = choose(named=None, asked=None, home=None, store_ids=())
    assert nothing == StoreChoice(None, None)
    assert not nothing.ask


def test_the_customer_s_tap() -> None:
    assert answered("riverside") == StoreChoice("riverside", Basis.CHOSEN)
    assert answered(None) == StoreChoice(None, Basis.UNSURE)


@pytest.mark.parametrize(
    ("basis", "said"),
    [
        (Basis.NAMED, "Riverside: named in the message"),
        (Basis.ASKED, "Riverside: asked about Riverside in this conversation"),
        (Basis.HOME, "Riverside: home store"),
        (Basis.ONLY, "Riverside: our only store"),
        (Basis.CHOSEN, "Riverside: chosen by the customer"),
        (None, "Riverside"),
    ],
)
def test_the_card_says_which_store_and_why(basis: Basis | None, said: str) -> None:
    assert why(basis, lambda: "Riverside") == said


def test_the_card_says_when_the_store_is_not_known() -> None:
    assert "has been asked" in why(Basis.ASKING, lambda: None)
    assert "not sure" in why(Basis.UNSURE, lambda: None)
    assert why(None, lambda: None) == "Store not known"

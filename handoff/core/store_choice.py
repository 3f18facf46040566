"""Which store a handed-off conversation is about, and why. Pure: no I/O.

In order: the store named in the message; else the store the customer asked about last
in this conversation; else the customer's home store; else, with one store only, that
one; else nobody knows yet, and the customer is asked with one-tap buttons while the
card waits in the general channel. The answer (a store, or "not sure") is recorded as
the basis, so the card can say why the conversation is where it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Basis(StrEnum):
    """Why the conversation is about its store (stored on the conversation)."""

    NAMED = "named"  # the handed-off message names it
    ASKED = "asked"  # the customer asked about it earlier in this conversation
    HOME = "home"  # the customer's home store (/start, /store)
    ONLY = "only"  # the business has one store
    ASKING = "asking"  # the customer has been asked and has not answered yet
    CHOSEN = "chosen"  # the customer tapped the store's button
    UNSURE = "unsure"  # the customer tapped "Not sure": it stays with everyone


@dataclass(frozen=True)
class StoreChoice:
    store_id: str | None
    basis: Basis | None  # None: no stores at all, nothing to ask

    @property
    def ask(self) -> bool:
        """The customer is to be asked which store this is about."""
        return self.basis is Basis.ASKING


def choose(
    *,
    named: str | None,
    asked: str | None,
    home: str | None,
    store_ids: Sequence[str],
) -> StoreChoice:
    """The store a new handoff goes to; a store id not in ``store_ids`` is ignored (a
    store removed from stores.yml since the customer chose it)."""
    for store_id, basis in ((named, Basis.NAMED), (asked, Basis.ASKED), (home, Basis.HOME)):
        if store_id is not None and store_id in store_ids:
            return StoreChoice(store_id, basis)
    if len(store_ids) == 1:
        return StoreChoice(store_ids[0], Basis.ONLY)
    if not store_ids:
        return StoreChoice(None, None)
    return StoreChoice(None, Basis.ASKING)


def answered(store_id: str | None) -> StoreChoice:
    """The customer's tap: a store, or None for "Not sure" (it goes to everyone)."""
    return StoreChoice(store_id, Basis.CHOSEN if store_id else Basis.UNSURE)


def why(basis: str | None, store_name: Callable[[], str | None]) -> str:
    """What the card says about the store: "asked about Riverside in this conversation".
    ``store_name`` is called only when the wording names the store."""
    name = store_name() or "the store"
    match basis:
        case Basis.NAMED:
            return f"{name}: named in the message"
        case Basis.ASKED:
            return f"{name}: asked about {name} in this conversation"
        case Basis.HOME:
            return f"{name}: home store"
        case Basis.ONLY:
            return f"{name}: our only store"
        case Basis.CHOSEN:
            return f"{name}: chosen by the customer"
        case Basis.ASKING:
            return "Store not known yet: the customer has been asked which store"
        case Basis.UNSURE:
            return "Store not known: the customer is not sure which store"
    return name if store_name() else "Store not known"  # recorded before the basis was

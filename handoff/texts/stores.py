"""What customers and employees read about which store a handoff is about. Pure."""

from __future__ import annotations

WHICH_STORE = "Which store is this about? Tap one, so the right local team picks it up."
NOT_SURE = "Not sure"


def not_sure_reply() -> str:
    return "No problem: whoever on our team is free first will help you."


def too_late_reply() -> str:
    """A tap on a question already answered, or on one from an earlier conversation."""
    return "Thanks! Your message is already with our team."


def moved_status(store_name: str) -> str:
    """The general thread's note when the customer picks a store: the offer moves."""
    return (
        f"The customer chose {store_name}: this conversation moved to the {store_name} "
        "channel, to the people on shift there."
    )

"""Replies to greetings, thanks and goodbyes: short, friendly, never pretending to be a person."""

from __future__ import annotations


def smalltalk_reply(intent: str, *, first_name: str | None, business: str) -> str:
    name = f", {first_name}" if first_name else ""
    if intent == "thanks":
        return f"You're welcome{name}. If anything else comes up, just write here."
    if intent == "goodbye":
        return f"Thanks for getting in touch{name}. Have a good day."
    return (
        f"Hello{name}, this is the {business} assistant. I can help with opening hours, "
        "directions, parking, returns, delivery and our services, or tell me what you need "
        "and one of our team will pick it up."
    )


def store_chosen_reply(store_name: str) -> str:
    return (
        f"Thank you. {store_name} is now your store; I'll answer with its details and its "
        "team will help you when you need a person. You can change it with /store."
    )

"""What ``/profile`` and ``/forget`` tell the customer, in plain words. Pure.

Every field of the profile hash is shown: the ones Tandem knows in words, any other
(e.g. added later by another feature) by its name, so nothing kept is ever hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

# Telegram sends IETF tags ("en", "pt-br"); the common ones by name, the rest as sent.
LANGUAGES = {
    "ar": "Arabic", "bn": "Bengali", "de": "German", "en": "English", "es": "Spanish",
    "fr": "French", "hi": "Hindi", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "tl": "Tagalog", "uk": "Ukrainian",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

# Fields shown in words below; everything else in the hash is listed as it is.
KNOWN = {
    "first_name", "last_name", "language", "writes_in", "store", "notes",
    "last_helper", "last_helper_at", "conversations",
}  # fmt: skip
FORGET_WINDOW_SECONDS = 10 * 60


def language_name(code: str | None) -> str | None:
    """``en`` → ``English (en)``; unknown codes as they are."""
    if not code:
        return None
    name = LANGUAGES.get(code.split("-")[0].lower())
    return f"{name} ({code})" if name else code


def card_language(profile: Mapping[str, str]) -> str | None:
    """The language for the employee's card: the one the customer writes in (detected in
    their messages, nlu/triage/language.py), else Telegram's setting."""
    written = language_name(profile.get("writes_in"))
    if written:
        return f"{written}, in their messages"
    return language_name(profile.get("language"))


@dataclass(frozen=True)
class Kept:
    """Everything needed to describe what is kept about one customer."""

    profile: Mapping[str, str]
    transcripts: int
    retention_days: int
    store_name: Callable[[str], str | None]
    helper_name: Callable[[str], str | None]
    tz: tzinfo


def describe(kept: Kept) -> str:
    p, lines = kept.profile, []
    if p.get("first_name") or p.get("last_name"):
        name = " ".join(v for v in (p.get("first_name"), p.get("last_name")) if v)
        lines.append(f"• Your name, from your Telegram profile: {name}")
    if p.get("language"):
        lines.append(f"• Your language, from Telegram: {language_name(p['language'])}")
    if p.get("writes_in"):
        lines.append(
            f"• The language you write to us in: {language_name(p['writes_in'])} "
            "(so someone who speaks it replies)"
        )
    if p.get("store"):
        store = kept.store_name(p["store"]) or p["store"]
        lines.append(f"• Your store, which you chose: {store}")
    notes = [n for n in p.get("notes", "").split("\n") if n.strip()]
    if notes:
        lines.append("• Notes our team wrote to help you next time:")
        lines += [f"   – {n}" for n in notes]
    if p.get("last_helper"):
        who = kept.helper_name(p["last_helper"]) or "a team member"
        when = _date(p.get("last_helper_at"), kept.tz)
        lines.append(
            f"• Who helped you last: {who}{f', on {when}' if when else ''} "
            "(so they are asked first if you write again within a day)"
        )
    if p.get("conversations"):
        lines.append(f"• How many conversations you have started: {p['conversations']}")
    lines += [f"• {k}: {v}" for k, v in sorted(p.items()) if k not in KNOWN]
    if kept.transcripts:
        count = "1 conversation" if kept.transcripts == 1 else f"{kept.transcripts} conversations"
        lines.append(
            f"• The transcripts of {count} (your messages, our answers, any rating), which "
            "supervisors review. Each is erased "
            f"{kept.retention_days} days after its last message."
        )
    if not lines:
        return "Tandem keeps nothing about you at the moment."
    return (
        "Here is everything we keep about you:\n"
        + "\n".join(lines)
        + "\n\nWe use it to answer you by name, with your store's details, and to pass you "
        "to someone who knows your story. /forget erases all of it."
    )


def forget_question(kept_anything: bool) -> str:
    if not kept_anything:
        return "We keep nothing about you at the moment, so there is nothing to forget."
    return (
        "This erases everything we keep about you: your name, language, store, our team's "
        "notes, who helped you last, and the transcripts of your conversations. "
        "It cannot be undone. Shall I go ahead?"
    )


def forgotten(conversations: int, fields: int) -> str:
    erased = [f"your profile ({fields} item{'s' if fields != 1 else ''})"] if fields else []
    if conversations:
        erased.append(f"{conversations} conversation transcript{'s' if conversations != 1 else ''}")
    what = " and ".join(erased) or "nothing was left to erase"
    return (
        f"Done. Erased: {what}. Kept: a record that you asked us to forget you and when, "
        "with no names or messages, so we can show we did. Messages already in this "
        "Telegram chat, and those our team read in Slack, are not removed by /forget; you "
        "can delete this chat in Telegram. If you write again, we start afresh with your "
        "first name and language from Telegram."
    )


FORGET_CANCELLED = "All right, nothing was erased."
FORGET_EXPIRED = "That button has expired. Send /forget again if you want us to forget you."


def _date(raw: str | None, tz: tzinfo) -> str | None:
    try:
        at = datetime.fromtimestamp(float(raw or ""), tz=tz)
    except ValueError:
        return None
    return f"{at:%B} {at.day}, {at.year}"

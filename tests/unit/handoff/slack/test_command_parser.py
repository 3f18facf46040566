"""`/tandem` parsing: each command, and clear usage errors for malformed or hostile input."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.slack.command_parser import (
    HELP,
    AddNote,
    AddNotice,
    Command,
    Help,
    ListNotices,
    Pause,
    RemoveNotice,
    Resume,
    UsageError,
    duration,
    parse,
)

DETROIT = ZoneInfo("America/Detroit")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=DETROIT)
ALIASES = {"riverside": "riverside", "river": "riverside", "downtown": "downtown"}


def run(text: str) -> Command:
    return parse(
        text,
        stores=lambda name: ALIASES.get(name.lower()),
        store_ids=("downtown", "riverside", "northgate"),
        now=NOW,
    )


def refused(text: str) -> str:
    with pytest.raises(UsageError) as info:
        run(text)
    return str(info.value)


def test_help_and_empty_text_show_every_command() -> None:
    assert run("") == Help()
    assert run("help") == Help()
    for verb in ("pause", "resume", "notice", "notices", "note"):
        assert f"/tandem {verb}" in HELP


def test_pause_with_store_duration_and_reason() -> None:
    assert run('pause riverside 2h "flooding"') == Pause("riverside", 7200, "flooding")
    assert run('pause all 30m "storm  coming"') == Pause("all", 1800, "storm coming")
    assert run("PAUSE River 1h30m “burst pipe”") == Pause("riverside", 5400, "burst pipe")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pause riverside 2h flooding", "double quotes"),
        ('pause riverside 2h "flooding', "Unbalanced quotes"),
        ('pause riverside two "x"', "Bad duration `two`"),
        ('pause riverside 0m "x"', "1 minute to 7 days"),
        ('pause riverside 8d "x"', "1 minute to 7 days"),
        ('pause riverside 2h ""', "reason is empty"),
        ('pause atlantis 2h "x"', "Unknown store `atlantis`: use downtown, riverside, northgate"),
        ("pause riverside", "Usage"),
        ('pause riverside 2h "x" extra', "Usage"),
        ('pause riverside 2h x"y"', "around the whole text"),
        (f'pause riverside 2h "{"x" * 201}"', "too long"),
    ],
)
def test_malformed_pauses_say_what_to_fix(text: str, message: str) -> None:
    assert message in refused(text)


def test_resume_defaults_to_everything() -> None:
    assert run("resume") == Resume("all")
    assert run("resume river") == Resume("riverside")
    assert "Usage" in refused("resume riverside downtown")


def test_notice_until_a_time_today_or_a_date() -> None:
    today = run('notice riverside "Closed today due to flooding" until 18:00')
    assert today == AddNotice(
        "riverside",
        "Closed today due to flooding",
        datetime(2026, 11, 24, 18, 0, tzinfo=DETROIT),
        ("all",),
    )
    later = run('notice all "Inventory day." until 2026-12-01 6:30pm intents hours, pickup')
    assert isinstance(later, AddNotice)
    assert later.ends == datetime(2026, 12, 1, 18, 30, tzinfo=DETROIT)
    assert later.intents == ("ask_hours", "ask_pickup")
    assert later.scope == "all"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('notice riverside "Closed" until 09:00', "already passed"),
        ('notice riverside "Closed" until 25:00', "Bad time `25:00`"),
        ('notice riverside "Closed" until 13pm', "1 to 12"),
        ('notice riverside "Closed" until 18', "Bad time"),
        ('notice riverside "Closed" until 2026-13-01 18:00', "Bad date"),
        ('notice riverside "Closed" until 2027-12-01 18:00', "90 days"),
        ('notice riverside "Closed" at 18:00', "until"),
        ("notice riverside Closed today until 18:00", "double quotes"),
        ('notice riverside "Closed" until 18:00 intents weather', "Unknown intent `weather`"),
        ('notice riverside "Closed" until 18:00 intents', "List the questions"),
        ('notice riverside "Closed"', "Usage"),
    ],
)
def test_malformed_notices_say_what_to_fix(text: str, message: str) -> None:
    assert message in refused(text)


def test_listing_and_removing_notices() -> None:
    assert run("notices") == ListNotices()
    assert run("notice remove slack-3") == RemoveNotice("slack-3")
    assert "Usage" in refused("notice remove")
    assert "Usage" in refused("notice remove ../../etc")
    assert "Usage" in refused("notices please")


def test_note_takes_the_rest_of_the_line_as_typed() -> None:
    assert run("note c12 prefers morning deliveries") == AddNote(
        "c12", "prefers morning deliveries"
    )
    assert run('note C7 customer\'s dog is "Rex" #4471') == AddNote(
        "c7", 'customer\'s dog is "Rex" #4471'
    )
    assert "conversation id" in refused("note Alex prefers mornings")
    assert "empty" in refused("note c12   ")
    assert "too long" in refused("note c12 " + "x" * 301)


def test_hostile_input_is_refused_or_kept_as_plain_text() -> None:
    # Slack escapes &, < and >; the parser undoes it, and echoes input without markup.
    assert run('pause riverside 1h "pipes &amp; &lt;drains&gt;"') == Pause(
        "riverside", 3600, "pipes & <drains>"
    )
    message = refused("`rm -rf` <!channel> *boom*")
    assert message == "Unknown command `rm`. Try `/tandem help`."  # no stray backticks
    assert "<!" not in refused('pause <!channel> 1h "x"')
    assert "too long" in refused("note c1 " + "x" * 2000)
    assert "Bad duration" in refused('pause riverside 99999999999h "x"')


def test_durations() -> None:
    assert duration("1d") == 86400
    assert duration("1h30m") == 5400
    assert duration("45m") == 2700
    for bad in ("", "h", "1.5h", "-1h", "1s"):
        with pytest.raises(UsageError):
            duration(bad)

"""StoreDirectory, AnswerBook and the data-file validation (nlu.facts.stores, nlu.facts.answers)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from nlu.facts.answers import (
    FACTUAL_INTENTS,
    Answer,
    AnswerBook,
    DataError,
    NoAnswer,
    Notice,
    validate_all,
)
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")
EXPIRED = ("ask_services", "riverside")  # the deliberately expired demo fact


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DET)


DEC1 = at(2026, 12, 1, 12)


@pytest.fixture(scope="module")
def stores() -> StoreDirectory:
    return StoreDirectory.load(DATA / "stores.yml")


@pytest.fixture(scope="module")
def book(stores: StoreDirectory) -> AnswerBook:
    return AnswerBook.from_dir(DATA, stores)


def ask(book: AnswerBook, intent: str, store: str | None = None, **kw: Any) -> Any:
    kw.setdefault("first_name", "Alex")
    kw.setdefault("now", DEC1)
    kw.setdefault("seed", 0)
    return book.answer(intent, store_id=store, **kw)


def notice(**kw: Any) -> Notice:
    base: dict[str, Any] = {
        "id": "flood",
        "store": "riverside",
        "starts": at(2026, 12, 1, 6),
        "ends": at(2026, 12, 2, 6),
        "text": "Riverside is closed today due to flooding.",
        "intents": "all",
    }
    return Notice.model_validate(base | kw)


# --- shipped data ---------------------------------------------------------------------


def test_shipped_data_validates_cleanly() -> None:
    assert validate_all(DATA) == []


def test_only_the_demo_fact_is_stale_on_dec_1() -> None:
    assert validate_all(DATA, now=DEC1) == [
        f"{DATA / 'answers.yml'}: ask_services.facts.riverside.valid_until: expired on 2026-11-20"
    ]


@pytest.mark.parametrize("intent", FACTUAL_INTENTS)
@pytest.mark.parametrize("store", ["downtown", "riverside", "northgate"])
def test_every_intent_answers_for_every_store(book: AnswerBook, intent: str, store: str) -> None:
    result = ask(book, intent, store)
    if (intent, store) == EXPIRED:
        assert isinstance(result, NoAnswer)
        assert result.reason == "stale_answer"
        assert "ask_services.facts.riverside" in result.detail
    else:
        assert isinstance(result, Answer), result
        assert result.source == "fact"
        assert result.store_id == store
        assert "{" not in result.text
        assert result.text.startswith("Hi Alex,")


def test_shipped_past_notice_fires_only_in_its_window(book: AnswerBook) -> None:
    during = ask(book, "ask_parking", "riverside", now=at(2026, 8, 17, 12))
    assert isinstance(during, Answer)
    assert (during.source, during.notice_id) == ("notice", "riverside-flood-2026-08")
    assert ask(book, "ask_parking", "riverside").source == "fact"
    assert ask(book, "ask_parking", "downtown", now=at(2026, 8, 17, 12)).source == "fact"


# --- stores ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is riverside open today?", "riverside"),
        ("RIVERSIDE!!", "riverside"),
        ("the river one", "riverside"),
        ("what time does the River one close", "riverside"),
        ("Riverside's hours", "riverside"),
        ("dt", "downtown"),
        ("the store down town", "downtown"),
        ("your city centre shop", "downtown"),
        ("Downtown... I mean downtown", "downtown"),
        ("North-Gate please", "northgate"),
        ("ngate", "northgate"),
        ("riverside or downtown?", None),
        ("the river one, not ngate", None),
        ("I drive a Ford", None),  # 'river' must not match inside 'drive'
        ("hello", None),
        ("", None),
    ],
)
def test_find_in_text(stores: StoreDirectory, text: str, expected: str | None) -> None:
    assert stores.find_in_text(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Riverside", "riverside"),
        ("the river one", "riverside"),
        ("NGATE", "northgate"),
        ("northgate plaza", "northgate"),
        ("city center", "downtown"),
        ("downtown store", "downtown"),
        ("Springfield", None),
    ],
)
def test_normalize_entity(stores: StoreDirectory, value: str, expected: str | None) -> None:
    assert stores.normalize(value) == expected


def test_ids_get_and_hours_text(stores: StoreDirectory) -> None:
    assert stores.ids() == ("downtown", "riverside", "northgate")
    assert stores.get("riverside").name == "Riverside"
    assert stores.business_name == "Maple & Main Hardware"
    assert stores.hours_text("downtown") == "Mon–Fri 7 am–7 pm, Sat 8 am–6 pm, Sun closed"
    with pytest.raises(KeyError):
        stores.get("nowhere")


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (at(2026, 11, 30, 6, 59), False),  # Monday before opening
        (at(2026, 11, 30, 7, 0), True),
        (at(2026, 11, 30, 18, 59), True),
        (at(2026, 11, 30, 19, 0), False),  # closing time is exclusive
        (at(2026, 11, 29, 12), False),  # Downtown is closed on Sundays
        (at(2026, 11, 26, 12), False),  # Thanksgiving
        (datetime(2026, 11, 30, 15, tzinfo=UTC), True),  # 10 am in Detroit
    ],
)
def test_is_open(stores: StoreDirectory, when: datetime, is_open: bool) -> None:
    assert stores.is_open("downtown", when) is is_open


def test_naive_now_is_rejected(stores: StoreDirectory, book: AnswerBook) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        stores.is_open("downtown", datetime(2026, 11, 30, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        ask(book, "ask_hours", "downtown", now=datetime(2026, 11, 30, 10))


def test_next_opening_skips_closed_sunday(stores: StoreDirectory) -> None:
    opening = stores.next_opening("downtown", at(2026, 11, 28, 19))  # Saturday evening
    assert opening == at(2026, 11, 30, 7)
    assert opening.tzinfo == DET


def test_next_opening_skips_holiday(stores: StoreDirectory) -> None:
    # Wednesday night before Thanksgiving -> Friday morning.
    assert stores.next_opening("riverside", at(2026, 11, 25, 21)) == at(2026, 11, 27, 7)
    # Christmas Eve after close -> Christmas Day closed -> Saturday.
    assert stores.next_opening("downtown", at(2026, 12, 24, 20)) == at(2026, 12, 26, 8)


def test_next_opening_while_open_is_the_next_period(stores: StoreDirectory) -> None:
    assert stores.next_opening("northgate", at(2026, 11, 30, 12)) == at(2026, 12, 1, 7)


def test_times_are_dst_safe(stores: StoreDirectory) -> None:
    # Spring forward (2027-03-14): Sunday opening is 09:00 EDT, i.e. 13:00 UTC.
    spring = stores.next_opening("riverside", at(2027, 3, 13, 21))
    assert spring.astimezone(UTC) == datetime(2027, 3, 14, 13, tzinfo=UTC)
    assert spring.utcoffset() == timedelta(hours=-4)
    # Fall back (2026-11-01): Sunday opening is 09:00 EST, i.e. 14:00 UTC.
    fall = stores.next_opening("northgate", at(2026, 10, 31, 22))
    assert fall.astimezone(UTC) == datetime(2026, 11, 1, 14, tzinfo=UTC)
    # The same UTC instant is before opening in winter and after it in summer.
    assert not stores.is_open("riverside", datetime(2027, 3, 7, 13, 30, tzinfo=UTC))
    assert stores.is_open("riverside", datetime(2027, 3, 14, 13, 30, tzinfo=UTC))


# --- answers --------------------------------------------------------------------------


def test_greeting_uses_first_name_or_neutral(book: AnswerBook) -> None:
    assert ask(book, "ask_returns").text.startswith("Hi Alex, ")
    assert ask(book, "ask_returns", first_name=None).text.startswith("Hi there, ")
    assert ask(book, "ask_returns", first_name="   ").text.startswith("Hi there, ")
    assert ask(book, "ask_returns", first_name=" Mary  Jo ").text.startswith("Hi Mary Jo, ")


def test_phrasing_is_deterministic_by_seed(book: AnswerBook) -> None:
    assert ask(book, "ask_hours", "downtown", seed=7) == ask(book, "ask_hours", "downtown", seed=7)
    texts = {ask(book, "ask_hours", "downtown", seed=s).text for s in range(10)}
    assert len(texts) >= 2
    assert ask(book, "ask_returns", seed=-3).source == "fact"  # any int is a valid seed


def test_store_phrasing_names_the_store(book: AnswerBook) -> None:
    for seed in range(4):
        text = ask(book, "ask_hours", "northgate", seed=seed).text
        assert "Northgate" in text
        assert "Mon–Fri 7 am–9 pm" in text


def test_hours_mention_upcoming_closures_only(book: AnswerBook) -> None:
    assert "Thanksgiving" in ask(book, "ask_hours", "downtown", now=at(2026, 11, 24, 9)).text
    dec1 = ask(book, "ask_hours", "downtown").text
    assert "Thanksgiving" not in dec1
    assert "Christmas" not in dec1
    assert "Christmas" in ask(book, "ask_hours", "downtown", now=at(2026, 12, 15, 9)).text


def test_all_stores_answer_is_one_line_per_store(book: AnswerBook) -> None:
    result = ask(book, "ask_hours", first_name=None)
    assert isinstance(result, Answer)
    assert result.store_id is None
    lines = [line for line in result.text.splitlines() if line.startswith("• ")]
    assert [line.split(":")[0] for line in lines] == ["• Downtown", "• Riverside", "• Northgate"]


def test_all_stores_answer_is_stale_if_any_store_is(book: AnswerBook) -> None:
    result = ask(book, "ask_services")
    assert isinstance(result, NoAnswer)
    assert result.reason == "stale_answer"


def test_chain_answer_ignores_store_but_keeps_it(book: AnswerBook) -> None:
    result = ask(book, "ask_returns", "northgate")
    assert isinstance(result, Answer)
    assert result.store_id == "northgate"
    assert "90 days" in result.text


def test_unknown_intent_or_store_is_no_answer(book: AnswerBook) -> None:
    assert ask(book, "ask_weather") == NoAnswer(
        "no_answer", "no answer configured for 'ask_weather'"
    )
    unknown_store = ask(book, "ask_hours", "springfield")
    assert isinstance(unknown_store, NoAnswer)
    assert unknown_store.reason == "no_answer"


def test_far_future_answers_are_stale(book: AnswerBook) -> None:
    result = ask(book, "ask_hours", "downtown", now=at(2027, 7, 1, 9))
    assert result == NoAnswer(
        "stale_answer", "ask_hours.review_by: not re-confirmed since 2027-06-30"
    )
    assert isinstance(ask(book, "ask_hours", "downtown", now=at(2027, 6, 30, 23)), Answer)


# --- notices --------------------------------------------------------------------------


def test_notice_overrides_in_its_window(book: AnswerBook) -> None:
    flood = [notice()]
    result = ask(book, "ask_hours", "riverside", extra_notices=flood)
    assert isinstance(result, Answer)
    assert (result.source, result.notice_id) == ("notice", "flood")
    assert result.text.startswith("Hi Alex, ")
    assert "Riverside is closed today due to flooding." in result.text
    assert "7 am" not in result.text


@pytest.mark.parametrize("when", [at(2026, 12, 1, 5, 59), at(2026, 12, 2, 6)])
def test_notice_outside_its_window_does_not_fire(book: AnswerBook, when: datetime) -> None:
    result = ask(book, "ask_hours", "riverside", now=when, extra_notices=[notice()])
    assert result.source == "fact"


def test_notice_only_for_its_store_and_intents(book: AnswerBook) -> None:
    flood = [notice(intents=["ask_hours", "ask_pickup"])]
    assert ask(book, "ask_hours", "downtown", extra_notices=flood).source == "fact"
    assert ask(book, "ask_parking", "riverside", extra_notices=flood).source == "fact"
    assert ask(book, "ask_pickup", "riverside", extra_notices=flood).source == "notice"


def test_chain_wide_notice_applies_everywhere(book: AnswerBook) -> None:
    storm = [notice(id="storm", store="all", text="All stores close at 3 pm today.")]
    for store in (None, "downtown", "northgate"):
        result = ask(book, "ask_hours", store, extra_notices=storm)
        assert (result.source, result.notice_id) == ("notice", "storm")


def test_store_notice_beats_chain_notice(book: AnswerBook) -> None:
    both = [notice(id="storm", store="all", text="Closing early."), notice()]
    assert ask(book, "ask_hours", "riverside", extra_notices=both).notice_id == "flood"
    assert ask(book, "ask_hours", "downtown", extra_notices=both).notice_id == "storm"


def test_all_stores_answer_shows_the_notice_for_that_store(book: AnswerBook) -> None:
    result = ask(book, "ask_hours", extra_notices=[notice()])
    assert isinstance(result, Answer)
    assert (result.source, result.notice_id) == ("notice", "flood")
    assert "• Riverside: Riverside is closed today due to flooding." in result.text
    assert "• Downtown: today 7 am–7 pm; Mon–Fri 7 am–7 pm" in result.text
    assert "Mon–Sat 7 am–8 pm" not in result.text  # Riverside not advertised as open


def test_notice_overrides_a_stale_answer(book: AnswerBook) -> None:
    result = ask(book, "ask_services", "riverside", extra_notices=[notice()])
    assert result.source == "notice"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"starts": datetime(2026, 12, 1, 6)}, "timezone"),
        ({"ends": at(2026, 11, 30)}, "before it starts"),
        ({"intents": ["ask_weather"]}, "unknown intent"),
        ({"text": ""}, "at least 1"),
        ({"colour": "red"}, "Extra inputs"),
    ],
)
def test_notice_model_rejects_bad_input(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        notice(**change)


# --- bad data -------------------------------------------------------------------------


def copy_data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA, tmp_path / "data"))


def edit(data: Path, name: str, change: Callable[[Any], Any]) -> Path:
    path = data / name
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def load_all(data: Path) -> None:
    stores = StoreDirectory.load(data / "stores.yml")
    AnswerBook.from_dir(data, stores)
    EmployeeDirectory.load(data / "employees.yml", stores)


def expect_error(data: Path, file: str, location: str, fragment: str) -> DataError:
    with pytest.raises(DataError) as caught:
        load_all(data)
    err = caught.value
    assert (err.path, err.location) == (str(data / file), location), str(err)
    assert fragment in err.message
    assert str(err) == f"{data / file}: {location}: {err.message}"
    assert "\n" not in str(err)
    assert isinstance(err, ValueError)
    assert str(err) in validate_all(data)
    return err


def test_the_example_error_line(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = edit(
        data,
        "answers.yml",
        lambda d: d["ask_delivery"]["facts"]["riverside"].update(valid_until="tomorow"),
    )
    with pytest.raises(DataError) as caught:
        load_all(data)
    assert str(caught.value) == (
        f"{path}: ask_delivery.facts.riverside.valid_until: invalid date 'tomorow' (use YYYY-MM-DD)"
    )


def _set(*keys: str, value: Any) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        doc[keys[-1]] = value

    return change


def _drop(*keys: str) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        del doc[keys[-1]]

    return change


STORE_CASES: list[tuple[Callable[[Any], None], str, str]] = [
    (_set("business", "timezone", value="America/Motown"), "business.timezone", "timezone"),
    (_drop("stores", "downtown", "hours", "sun"), "stores.downtown.hours.sun", "missing"),
    (
        _set("stores", "downtown", "hours", "thur", value="closed"),
        "stores.downtown.hours.thur",
        "unknown field",
    ),
    (
        _set("stores", "riverside", "hours", "mon", value="7-19"),
        "stores.riverside.hours.mon",
        "invalid time range '7-19'",
    ),
    (
        _set("stores", "riverside", "hours", "mon", value="19:00-07:00"),
        "stores.riverside.hours.mon",
        "ends before it starts",
    ),
    (
        _set("stores", "riverside", "hours", "mon", value="07:00-25:00"),
        "stores.riverside.hours.mon",
        "invalid time",
    ),
    (
        lambda d: d["stores"]["northgate"]["closures"][0].update(date="tomorow"),
        "stores.northgate.closures[0].date",
        "invalid date 'tomorow'",
    ),
    (
        _set("stores", "downtown", "adress", value="1 Main St"),
        "stores.downtown.adress",
        "unknown field",
    ),
    (_drop("stores", "downtown", "address"), "stores.downtown.address", "missing"),
    (
        _set("stores", "downtown", "email", value="downtown-at-example"),
        "stores.downtown.email",
        "not an email address",
    ),
    (
        _set("stores", "downtown", "phone", value="call us"),
        "stores.downtown.phone",
        "not a phone number",
    ),
    (
        _set("stores", "downtown", "slack_channel", value="#downtown"),
        "stores.downtown.slack_channel",
        "not a Slack channel id",
    ),
    (
        _set("stores", "downtown", "review_link", value="google it"),
        "stores.downtown.review_link",
        "invalid link",
    ),
    (
        _set("stores", "riverside", "aliases", value=["dt"]),
        "stores.riverside.aliases",
        "also used by store 'downtown'",
    ),
    (
        _set("stores", "riverside", "aliases", value=["!!"]),
        "stores.riverside.aliases",
        "no letters",
    ),
    (
        _set(
            "stores",
            "northgate",
            "hours",
            value=dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "closed"),
        ),
        "stores.northgate.hours",
        "never open",
    ),
    (_set("stores", "Down Town", value={}), "stores.Down Town", "lower-case"),
    (_set("stores", value={}), "stores", "must not be empty"),
    (_drop("business"), "business", "missing"),
    (_set("stores", "downtown", "id", value="dt"), "stores.downtown.id", "remove this"),
]


@pytest.mark.parametrize(("change", "location", "fragment"), STORE_CASES)
def test_bad_stores_yml(
    tmp_path: Path, change: Callable[[Any], None], location: str, fragment: str
) -> None:
    data = copy_data(tmp_path)
    edit(data, "stores.yml", change)
    expect_error(data, "stores.yml", location, fragment)


def test_slack_channel_may_be_absent(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data, "stores.yml", _drop("stores", "northgate", "slack_channel"))
    assert StoreDirectory.load(data / "stores.yml").get("northgate").slack_channel is None


ANSWER_CASES: list[tuple[Callable[[Any], None], str, str]] = [
    (
        _set("ask_hours", "phrasings", value=["{hello} {fact!r}"]),
        "ask_hours.phrasings[0]",
        "write placeholders plainly",
    ),
    (_set("ask_hours", "review_by", value="next spring"), "ask_hours.review_by", "invalid date"),
    (_set("ask_hour", value={}), "ask_hour", "unknown intent"),
    (_set("ask_hours", "phrasing", value=["{fact}"]), "ask_hours.phrasing", "unknown field"),
    (_set("ask_hours", "scope", value="shop"), "ask_hours.scope", "'store' or 'chain'"),
    (_set("ask_hours", "phrasings", value=[]), "ask_hours.phrasings", "must not be empty"),
    (
        _set("ask_hours", "phrasings", value=["{hello} {stor}: {fact}"]),
        "ask_hours.phrasings[0]",
        "unknown placeholder {stor}",
    ),
    (
        _set("ask_hours", "phrasings", value=["{hello} we're open!"]),
        "ask_hours.phrasings[0]",
        "must contain {fact}",
    ),
    (
        _set("ask_hours", "phrasings", value=["{hello {fact}"]),
        "ask_hours.phrasings[0]",
        "unbalanced braces",
    ),
    (
        _set("ask_hours", "all_stores_phrasings", value=["{store}: {fact}"]),
        "ask_hours.all_stores_phrasings[0]",
        "unknown placeholder {store}",
    ),
    (_drop("ask_hours", "all_stores_phrasings"), "ask_hours", "all_stores_phrasings"),
    (_set("ask_hours", "derived_from", value="weather"), "ask_hours.derived_from", "hours"),
    (_set("ask_hours", "facts", value={}), "ask_hours", "exactly one of"),
    (
        _set("ask_returns", "phrasings", value=["{hello} at {store}: {fact}"]),
        "ask_returns",
        "{store}",
    ),
    (_set("ask_returns", "facts", value={}), "ask_returns", "only for scope: store"),
    (_drop("ask_returns", "fact"), "ask_returns", "needs a 'fact'"),
    (_set("ask_returns", "fact", "text", value=""), "ask_returns.fact.text", "must not be empty"),
    (
        _drop("ask_delivery", "facts", "northgate"),
        "ask_delivery.facts",
        "missing fact for store 'northgate'",
    ),
    (
        lambda d: d["ask_delivery"]["facts"].update(rivreside={"text": "Hi."}),
        "ask_delivery.facts.rivreside",
        "unknown store",
    ),
    (
        _set("ask_delivery", "facts", "riverside", "valid_untill", value="2027-01-01"),
        "ask_delivery.facts.riverside.valid_untill",
        "unknown field",
    ),
    (_drop("greeting"), "greeting", "missing"),
    (_set("greeting", "named", value="Hi there,"), "greeting.named", "must contain {name}"),
    (
        _set("notice_phrasings", value=["{hello} heads up!"]),
        "notice_phrasings[0]",
        "must contain {notice}",
    ),
]


@pytest.mark.parametrize(("change", "location", "fragment"), ANSWER_CASES)
def test_bad_answers_yml(
    tmp_path: Path, change: Callable[[Any], None], location: str, fragment: str
) -> None:
    data = copy_data(tmp_path)
    edit(data, "answers.yml", change)
    expect_error(data, "answers.yml", location, fragment)


def _notice_change(**kw: Any) -> Callable[[Any], None]:
    return lambda doc: doc[0].update(kw)


NOTICE_CASES: list[tuple[Callable[[Any], None], str, str]] = [
    (_notice_change(starts="2026-08-17T06:00:00"), "riverside-flood-2026-08.starts", "UTC offset"),
    (_notice_change(ends="soon"), "riverside-flood-2026-08.ends", "invalid date-time 'soon'"),
    (
        _notice_change(ends="2026-08-16T06:00:00-04:00"),
        "riverside-flood-2026-08",
        "before it starts",
    ),
    (_notice_change(store="rivreside"), "riverside-flood-2026-08.store", "unknown store"),
    (
        _notice_change(intents=["ask_hours", "ask_wether"]),
        "riverside-flood-2026-08.intents",
        "unknown intent 'ask_wether'",
    ),
    (_notice_change(text=None), "riverside-flood-2026-08.text", "expected text"),
    (_notice_change(until="2026-09-01"), "riverside-flood-2026-08.until", "unknown field"),
    (lambda doc: doc.append(dict(doc[0])), "riverside-flood-2026-08", "duplicate notice id"),
]


@pytest.mark.parametrize(("change", "location", "fragment"), NOTICE_CASES)
def test_bad_notices_yml(
    tmp_path: Path, change: Callable[[Any], None], location: str, fragment: str
) -> None:
    data = copy_data(tmp_path)
    edit(data, "notices.yml", change)
    expect_error(data, "notices.yml", location, fragment)


def test_notices_must_be_a_list(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "notices.yml").write_text("id: oops\nstore: all\n")
    expect_error(data, "notices.yml", "(top level)", "tuple")


def test_empty_notices_file_means_no_notices(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "notices.yml").write_text("# nothing to announce\n")
    stores = StoreDirectory.load(data / "stores.yml")
    assert AnswerBook.from_dir(data, stores).notices == ()


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "stores.yml").write_text('business:\n  name: "Maple & Main\n  timezone: x\n')
    err = expect_error(data, "stores.yml", "line 4", "YAML error")
    assert "while scanning" not in err.location


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = data / "answers.yml"
    text = path.read_text().replace("ask_pickup:", "ask_delivery:")
    path.write_text(text)
    line = text.splitlines().index("ask_delivery:", text.splitlines().index("ask_delivery:") + 1)
    expect_error(data, "answers.yml", f"line {line + 1}", "duplicate key 'ask_delivery'")


def test_missing_file(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "answers.yml").unlink()
    expect_error(data, "answers.yml", "(file)", "file not found")


def test_answers_errors_are_all_reported(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(
        data,
        "answers.yml",
        lambda d: (
            d["ask_hours"].update(review_by="soon"),
            d["ask_returns"]["fact"].update(txt="x"),
        ),
    )
    problems = validate_all(data)
    assert any("ask_hours.review_by" in p for p in problems)
    assert any("ask_returns.fact.txt" in p for p in problems)


def test_broken_stores_yml_stops_further_checks(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data, "stores.yml", _drop("business"))
    problems = validate_all(data)
    assert problems[0] == f"{data / 'stores.yml'}: business: missing required field"
    assert "not checked" in problems[-1]


def test_missing_intent_is_no_answer_and_reported(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data, "answers.yml", _drop("ask_price_match"))
    stores = StoreDirectory.load(data / "stores.yml")
    result = ask(AnswerBook.from_dir(data, stores), "ask_price_match")
    assert isinstance(result, NoAnswer)
    assert result.reason == "no_answer"
    assert validate_all(data) == [
        f"{data / 'answers.yml'}: ask_price_match: no answer configured "
        "(customers asking go to a person)"
    ]


def test_valid_until_is_inclusive_and_then_stale(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data, "answers.yml", lambda d: d["ask_payment"]["fact"].update(valid_until="2026-11-30"))
    stores = StoreDirectory.load(data / "stores.yml")
    book = AnswerBook.from_dir(data, stores)
    assert ask(book, "ask_payment", now=at(2026, 11, 30, 23, 59)).source == "fact"
    assert ask(book, "ask_payment") == NoAnswer(
        "stale_answer", "ask_payment.fact.valid_until: expired on 2026-11-30"
    )


def test_review_by_passed_is_stale(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    edit(data, "answers.yml", lambda d: d["ask_location"].update(review_by="2026-11-01"))
    stores = StoreDirectory.load(data / "stores.yml")
    book = AnswerBook.from_dir(data, stores)
    for store in (None, "downtown"):
        result = ask(book, "ask_location", store)
        assert isinstance(result, NoAnswer)
        assert result.reason == "stale_answer"
        assert "ask_location.review_by" in result.detail

"""``tandem``: the one console command. Errors are mapped to one line and an exit code here."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime

import uvloop

from bot.errors import REPORTED, exit_code
from bot.logs import setup_logging
from bot.settings import load_settings
from handoff.core.addresses import BadAddress, parse_address

log = logging.getLogger("tandem")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start Tandem (the local playground when no tokens are set)")
    commands.add_parser("setup", help="create the Rasa environment and train the model if needed")
    commands.add_parser("train", help="train the Rasa model when data/ or config.yml changed")
    triage = commands.add_parser("triage", help="show what the bot would do with a message")
    source = triage.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="a customer message")
    source.add_argument("--file", help="a YAML file of cases: {cases: [{text, route, intent?}]}")
    triage.add_argument("--store", help="the customer's home store id (e.g. riverside)")
    triage.add_argument("--name", help="the customer's first name")
    triage.add_argument(
        "--now",
        type=_moment,
        metavar="ISO-TIME",
        help="a fixed clock with its UTC offset, e.g. 2026-12-24T10:00-05:00",
    )
    commands.add_parser("doctor", help="check the settings, the data files and the services")
    erase = commands.add_parser("erase", help="erase a customer, or conversations idle N days")
    what = erase.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--customer",
        type=_address,
        metavar="ADDRESS",
        help="their Telegram chat id, or channel:id for another channel",
    )
    what.add_argument("--older-than-days", type=int, metavar="N", help="idle for more than N days")
    erase.add_argument("--by", help="who asked, for the audit log (default: your OS user)")
    commands.add_parser("hash-password", help="print an argon2 hash for REVIEW_USERS")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # PTB 22: durations such as retry_after as timedelta, without a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        # uvloop: the same asyncio, with its loop and sockets in C; under load the worker
        # spends much of its time there.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(_dispatch(args))
    except REPORTED as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace) -> int:
    # Each command imports its own modules when it runs, so no command waits for the
    # others' (PTB, bolt, uvicorn, redis, Rasa's set-up): imported up front, they would make
    # every command, `tandem --help` too, start about 2 s later.
    settings = load_settings()
    setup_logging(settings.log_level)
    if args.command == "run":
        from bot.runtime import run

        await run(settings)
    elif args.command in ("setup", "train"):
        from nlu.rasa.local import prepare_model

        _, model = await prepare_model()
        print(model)
    elif args.command == "triage":
        from bot.triage_command import triage_command

        return await triage_command(settings, args.text, args.file, args.store, args.name, args.now)
    elif args.command == "doctor":
        from bot.doctor import doctor

        return await doctor(settings)
    elif args.command == "erase":
        from handoff.review.commands import erase_command

        return await erase_command(
            settings.review_settings(), args.customer, args.older_than_days, args.by
        )
    elif args.command == "hash-password":
        from handoff.review.commands import hash_password_command

        return hash_password_command()
    return 0


def _moment(text: str) -> datetime:
    """``--now``: an ISO time with its UTC offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO time like 2026-12-24T10:00-05:00"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (add e.g. -05:00 or Z)")
    return moment


def _address(text: str) -> str:
    try:
        return parse_address(text)
    except BadAddress as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


if __name__ == "__main__":
    sys.exit(main())

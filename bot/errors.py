"""The application's errors, and the one place every package's errors become exit codes.

Each package has its own small hierarchy (``nlu.errors``, ``handoff.errors``, this one);
``bot.cli`` reports any of them as one line and ``exit_code`` below. Everything else
chains the original cause with ``raise ... from``.
"""

from __future__ import annotations

from handoff.errors import (
    ChannelUnavailable,
    HandoffConfigError,
    HandoffError,
    ServiceUnavailable,
)
from nlu.errors import BadCasesFile, DataError, NluError, NluUnavailable, SetupError


class BotError(Exception):
    """Base of the application's own errors."""


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the variable."""


class CheckFailed(BotError):
    """A ``tandem doctor`` check that found something broken."""


class TelegramUnavailable(ChannelUnavailable):
    """Telegram cannot be reached or refused a call."""


# What the CLI reports as one line (anything else is a bug and keeps its traceback).
REPORTED: tuple[type[Exception], ...] = (BotError, HandoffError, NluError)

# First match wins: settings 2, set-up 3, an outside system 4, anything else 1.
_EXIT_CODES: tuple[tuple[tuple[type[Exception], ...], int], ...] = (
    ((ConfigError, HandoffConfigError, DataError, BadCasesFile), 2),
    ((SetupError,), 3),
    ((ServiceUnavailable, NluUnavailable), 4),
)


def exit_code(exc: BaseException) -> int:
    for kinds, code in _EXIT_CODES:
        if isinstance(exc, kinds):
            return code
    return 1

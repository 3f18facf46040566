"""Tandem's exception hierarchy.

Every failure that can reach a user of Tandem is a ``TandemError``. The CLI maps
them to one line and an exit code in one place (``bot.cli``); everything else
chains the original cause with ``raise ... from``.
"""

from __future__ import annotations


class TandemError(Exception):
    """Base of every error Tandem reports to its operator."""

    exit_code = 1


class ConfigError(TandemError):
    """A setting is missing or malformed; the message names the variable."""

    exit_code = 2


class SetupError(TandemError):
    """The local set-up (Python 3.10, Rasa env, model training) could not be done."""

    exit_code = 3


class ServiceUnavailable(TandemError):
    """An outside system (Redis, Rasa, Telegram, Slack) cannot be reached or refused us."""

    exit_code = 4


class RedisUnavailable(ServiceUnavailable):
    pass


class NluUnavailable(ServiceUnavailable):
    pass


class TelegramUnavailable(ServiceUnavailable):
    pass


class SlackUnavailable(ServiceUnavailable):
    pass


class ConversationError(TandemError):
    """A request that the conversation's state does not allow (e.g. a second claim)."""

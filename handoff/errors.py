"""The handoff package's errors: a service out of reach, a conversation rule, a setting.

``bot.errors`` maps them (with the other packages' errors) to one line and an exit code.
"""

from __future__ import annotations


class HandoffError(Exception):
    """Base of every error the handoff package reports."""


class HandoffConfigError(HandoffError):
    """A setting or an argument is missing or malformed; the message names it."""


class ServiceUnavailable(HandoffError):
    """An outside system (Redis, Slack, the customer's channel) cannot be reached or refused."""


class RedisUnavailable(ServiceUnavailable):
    pass


class SlackUnavailable(ServiceUnavailable):
    pass


class ChannelUnavailable(ServiceUnavailable):
    """The customer's channel (Telegram, or any other) refused a send or cannot be reached."""


class ConversationError(HandoffError):
    """A request that the conversation's state does not allow (e.g. a second claim)."""

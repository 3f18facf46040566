"""Telegram's pace for the outbox, across every worker: token buckets in Redis.

Telegram asks a bot for about 30 messages a second in all and one a second per chat (a
short burst is fine). Both are token buckets kept in Redis (``{prefix}:out:pace``: chat,
or ``bot`` -> allowance and when it was counted), so they hold across any number of
workers; one Lua script takes the chat's turn and the bot's first turn at or after it,
and the lane's holder waits for that moment. The Telegram sender (bot/telegram/outbox.py)
holds a ``ChatPace``.
"""

from __future__ import annotations

from handoff.queues.lanes import Lanes

CHAT_RATE_PER_SECOND = 1.0
CHAT_BURST = 3.0

# Token buckets, the chats' under their ids and the bot's under "bot". KEYS: the pace
# hash. ARGV: chat, now, chat rate, chat burst, bot rate, bot burst. Takes the chat's next
# turn and the bot's first turn at or after it, both for that moment; returns the seconds
# to wait before sending. A bucket's stamp may lie in the future (turns taken ahead): its
# allowance then counts below zero until that moment.
_TURN = """
local function bucket(field, rate, burst)
  local b = {allowance = burst, stamp = 0, rate = rate, burst = burst}
  local raw = redis.call('HGET', KEYS[1], field)
  if raw then
    local a, s = string.match(raw, '^(%S+) (%S+)$')
    b.allowance, b.stamp = tonumber(a), tonumber(s)
  end
  return b
end
-- The first moment at or after t with a turn, and the allowance left after taking it.
local function slot(b, t)
  local allowance = math.min(b.burst, b.allowance + (t - b.stamp) * b.rate)
  if allowance >= 1 then return t, allowance - 1 end
  return t + (1 - allowance) / b.rate, 0
end
local now = tonumber(ARGV[2])
local chat = bucket(ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]))
local chat_at = slot(chat, now)
local at, bot_left = slot(bucket('bot', tonumber(ARGV[5]), tonumber(ARGV[6])), chat_at)
local _, chat_left = slot(chat, at)
redis.call('HSET', KEYS[1], 'bot', string.format('%.6f %.6f', bot_left, at),
  ARGV[1], string.format('%.6f %.6f', chat_left, at))
return string.format('%.6f', at - now)
"""


class ChatPace:
    """Each chat's turns within the bot's, one round trip each; only the chat's lane's
    holder takes them. The bot's bucket holds a second's sends."""

    def __init__(self, lanes: Lanes, bot_sends_per_second: float = 30.0) -> None:
        self.key = lanes.key("pace")
        self.bot_rate = bot_sends_per_second
        self._turn = lanes.redis.register_script(_TURN)

    async def turn(self, chat_id: str, now: float) -> float:
        """Take the chat's next send; returns how long to wait before it."""
        chat: list[str | float] = [str(chat_id), repr(now), CHAT_RATE_PER_SECOND, CHAT_BURST]
        args = [*chat, self.bot_rate, max(1.0, self.bot_rate)]
        return float(await self._turn(keys=[self.key], args=args))

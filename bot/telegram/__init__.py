"""The Telegram channel: the python-telegram-bot adapter, inbound (updates, webhook, inbox)
and outbound (the channel, the outbox). The only place that imports ``telegram``.
"""

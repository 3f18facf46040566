"""Durable work in Redis: ordered lanes per conversation and their pump, the outbox, timers
and the background loops.
"""

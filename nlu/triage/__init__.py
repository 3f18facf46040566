"""Deciding what the bot does with a message: the triage policy (answer or hand off), the
stored answer, small talk. Pure.
"""

"""The conversation's core: the state machine, routing and escalation policy, message and
port types, media rules. Pure: no I/O.
"""

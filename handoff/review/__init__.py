"""Supervisor review: summaries and indexes of every conversation, the dashboard, erasure.

The transcript stream stays the source of truth; everything here is derived from it
(and can be rebuilt from it), except the audit log, which is itself append-only.
"""

"""All of Tandem's state in Redis: conversations and their append-only transcripts, the
chat lock, dedupe, profiles, the review indexes, the audit log, and the one registry of
key families (keys.py).
"""

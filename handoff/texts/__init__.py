"""What the customer reads from the conversation service (waiting, memory, ratings): plain
words, pure functions.
"""

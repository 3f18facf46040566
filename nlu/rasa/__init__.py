"""The Rasa NLU server: its client (the worker's adapter), its own Python 3.10 environment,
training and the local server.
"""

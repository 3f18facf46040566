"""Code that runs inside the Rasa server (Python 3.10), not in the worker: the custom
pipeline components named in config.yml.
"""

"""The application (the top layer): the customer channels (Telegram in bot/telegram/, listed
in channels.py), settings, the CLI, the worker's wiring, its HTTP app, readiness, the doctor,
and the one map of every package's errors to exit codes."""

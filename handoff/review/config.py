"""What supervisor review reads of Tandem's settings: for the dashboard and `tandem erase`.

``bot.settings.Settings.review_settings()`` fills it from the environment; handoff never
reads the application's settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ReviewSettings:
    data_dir: Path  # nlu.yml: the intents a wrong answer can be corrected to
    state_dir: Path  # the generated cookie secret, and the embedded Valkey's marker
    redis_url: str | None = None  # unset: the embedded Valkey (``tandem erase`` finds it)
    users: str | None = None  # REVIEW_USERS, as given (handoff/review/accounts.py)
    secret: str | None = field(default=None, repr=False)  # REVIEW_SECRET
    playground: bool = False  # no tokens: a made-up demo login when there are no accounts
    session_idle: float = 30 * 60  # seconds without a request that end a session
    session_lifetime: float = 8 * 3600  # seconds after sign-in that end it in any case

"""Supervisor accounts: names with argon2 hashes, from ``REVIEW_USERS``.

``REVIEW_USERS`` is a JSON object ``{"name": "$argon2id$..."}`` or entries
``name:$argon2id$...`` separated by spaces or semicolons (argon2 hashes contain
commas, so commas cannot separate entries). ``tandem hash-password`` prints a hash.
"""

from __future__ import annotations

import json
import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
DEMO_NAME = "demo"
_HASHER = PasswordHasher()


@cache
def _dummy() -> str:
    # Unknown names are checked against this, so a wrong name takes as long as a wrong password.
    return _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("use a password of at least 10 characters")
    return _HASHER.hash(password)


def parse_accounts(raw: str | None) -> dict[str, str]:
    """Names to hashes; ValueError names the first malformed entry."""
    if raw is None or not raw.strip():
        return {}
    text = raw.strip()
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg})") from None
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise ValueError('expected {"name": "$argon2id$..."}')
        pairs = list(loaded.items())
    else:
        pairs = []
        for entry in re.split(r"[\s;]+", text):
            name, sep, hashed = entry.partition(":")
            if not sep:
                raise ValueError(f"entry {entry[:20]!r} is not name:hash")
            pairs.append((name, hashed))
    accounts: dict[str, str] = {}
    for name, hashed in pairs:
        if not NAME.match(name):
            raise ValueError(f"account name {name[:20]!r}: letters, digits and ._@- only")
        if not hashed.startswith("$argon2"):
            raise ValueError(f"account {name}: expected an argon2 hash from `tandem hash-password`")
        accounts[name] = hashed
    return accounts


class Accounts:
    def __init__(self, hashes: dict[str, str]) -> None:
        self.hashes = dict(hashes)

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def verify(self, name: str, password: str) -> bool:
        """CPU-heavy by design (argon2): call it off the event loop."""
        hashed = self.hashes.get(name)
        try:
            return _HASHER.verify(hashed or _dummy(), password) and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    @classmethod
    def demo(cls) -> tuple[Accounts, str]:
        """The playground's account: a fresh password each start, printed on the console."""
        password = secrets.token_urlsafe(12)
        return cls({DEMO_NAME: _HASHER.hash(password)}), password

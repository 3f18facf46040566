"""The NLU package's errors: Rasa out of reach, a set-up that failed, a data file that is wrong.

``bot.errors`` maps them (with the other packages' errors) to one line and an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class NluError(Exception):
    """Base of every error the NLU package reports."""


class NluUnavailable(NluError):
    """The Rasa server cannot be reached, or did not answer in time."""


class SetupError(NluError):
    """The local set-up (Python 3.10, Rasa's environment, model training) could not be done."""


class DataError(NluError, ValueError):
    """A problem in a data file; `str()` is one line: `path: location: message`.

    The CLI reports it as that one line and a non-zero exit.
    """

    def __init__(
        self, path: str | Path, location: str, message: str, *, related: Sequence[DataError] = ()
    ) -> None:
        self.path = str(path)
        self.location = location
        self.message = message
        # Further problems found in the same pass, so `tandem doctor` can list them all.
        self.related = tuple(related)
        super().__init__(f"{self.path}: {location}: {message}")

    def all(self) -> list[DataError]:
        return [self, *self.related]


class BadCasesFile(NluError, ValueError):
    """A file of labelled cases (``tandem triage --file``) cannot be read or is malformed."""

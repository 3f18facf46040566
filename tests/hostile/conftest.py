"""The end-to-end fixtures (tests/e2e/conftest.py): playground, workers, clock."""

from tests.e2e.conftest import clock, playground, slack_mode, start_worker

__all__ = ["clock", "playground", "slack_mode", "start_worker"]

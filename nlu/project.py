"""Where the project's own files are: data/, models/, .tools/, the Slack manifest."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

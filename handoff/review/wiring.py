"""Builds the review dashboard and the retention job from the review settings (for the worker)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from starlette.applications import Starlette

from handoff.queues.periodic import background
from handoff.queues.retention import retention_loop
from handoff.review.accounts import DEMO_NAME, Accounts, parse_accounts
from handoff.review.app import build_review_app
from handoff.review.config import ReviewSettings
from handoff.review.session import load_secret
from handoff.review.web import ReviewConfig
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.erasure import Eraser
from handoff.storage.store import ConversationStore
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory


def build_review(
    settings: ReviewSettings,
    store: ConversationStore,
    stores: StoreDirectory,
    employees: EmployeeDirectory,
    clock: Callable[[], float] = time.time,
) -> tuple[Starlette, tuple[str, str] | None]:
    """The app, and the playground's demo login (name, password) when one was made up."""
    accounts = Accounts(parse_accounts(settings.users))
    demo: tuple[str, str] | None = None
    if not accounts and settings.playground:
        accounts, password = Accounts.demo()
        demo = (DEMO_NAME, password)
    config = ReviewConfig(
        store=store,
        stores=stores,
        employees=employees,
        accounts=accounts,
        secret=load_secret(settings.secret, settings.state_dir),
        intents=load_intents(settings.data_dir / "nlu.yml"),
        clock=clock,
        session_idle=settings.session_idle,
        session_lifetime=settings.session_lifetime,
    )
    return build_review_app(config), demo


def load_intents(path: Path) -> tuple[str, ...]:
    """The intents a wrong answer can be corrected to: those Rasa is trained on."""
    if not path.exists():
        return ()
    data = yaml.safe_load(path.read_text()) or {}
    found = {e["intent"] for e in data.get("nlu") or () if isinstance(e, dict) and "intent" in e}
    return tuple(sorted(str(i) for i in found))


def retention_running(
    store: ConversationStore, days: int, clock: Callable[[], float] = time.time
) -> contextlib.AbstractAsyncContextManager[None]:
    """The retention loop beside the block (a crash is logged, stopping cancels it)."""
    eraser = Eraser(store, AuditLog(store.redis, prefix=store.prefix, clock=clock))
    return background(retention_loop(eraser, days, clock), "tandem-retention")

"""The README and docs/: every relative link reaches a file (and its heading, when it names
one), and the README's first screen holds the quick start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlu.project import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
PAGES = [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
FIRST_SCREEN = 60
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")


def _prose(markdown: str) -> str:
    """The text without code blocks and code spans, where a link is only an example."""
    return CODE.sub("", FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in FENCE.sub("", page.read_text()).splitlines():
        if match := re.match(r"#{1,6}\s+(.*)", line):
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(_prose(page.read_text()))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # https:, mailto: …
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_relative_link_reaches_a_file_and_its_heading(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        where = (page.parent / path).resolve() if path else page
        if not where.is_file() or not where.is_relative_to(PROJECT_ROOT):
            broken.append(f"{target}: no such file in the project")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            broken.append(f"{target}: no heading #{anchor}")
    assert broken == []


def test_the_pages_link_to_each_other() -> None:
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in relative_links(README)}
    missing = [p.name for p in PAGES[1:] if p.resolve() not in linked]
    assert missing == [], "every docs/ page is in the README's table of contents"


def test_the_quick_start_fits_on_the_first_screen() -> None:
    first = "\n".join(README.read_text().splitlines()[:FIRST_SCREEN])
    assert "## Quick start" in first
    assert "make run" in first
    assert "make test" in first
    # What to try and where to click: the two sample messages, the Slack pane's buttons,
    # the dashboard and its demo login.
    for step in ("what time does Riverside close today?", "really annoyed", "**Take over**",
                 "**Resolve**", "/review", "`demo`"):  # fmt: skip
        assert step in first, step


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Quick start", "quick-start"),
        ("The reply check", "the-reply-check"),
        ("The business data (`data/`)", "the-business-data-data"),
        ("`/tandem` in Slack", "tandem-in-slack"),
        ("Deployment and scaling", "deployment-and-scaling"),
    ],
)
def test_anchors_are_made_as_github_makes_them(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor

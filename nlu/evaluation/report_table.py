"""Turns Rasa's intent_report.json into a per-intent precision/recall/F1 table.

python -m nlu.evaluation.report_table reports/nlu/intent_report.json > reports/nlu/intents.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def table(report: dict[str, Any]) -> str:
    lines = ["| intent | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for name in sorted(k for k in report if k not in SUMMARY_ROWS):
        row = report[name]
        lines.append(
            f"| {name} | {row['support']} | {row['precision']:.3f} | {row['recall']:.3f} "
            f"| {row['f1-score']:.3f} |"
        )
    for name in SUMMARY_ROWS:
        row = report.get(name)
        if isinstance(row, dict):
            lines.append(
                f"| *{name}* | {row.get('support', '')} | {row['precision']:.3f} "
                f"| {row['recall']:.3f} | {row['f1-score']:.3f} |"
            )
        elif isinstance(row, float):
            lines.append(f"| *{name}* | | | | {row:.3f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m nlu.evaluation.report_table INTENT_REPORT.json", file=sys.stderr)
        return 2
    try:
        report = json.loads(Path(argv[0]).read_text())
    except (OSError, ValueError) as exc:
        print(f"nlu.evaluation.report_table: cannot read {argv[0]}: {exc}", file=sys.stderr)
        return 2
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

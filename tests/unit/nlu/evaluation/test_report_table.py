"""`make nlu-report`'s table of per-intent precision, recall and F1."""

from __future__ import annotations

from nlu.evaluation.report_table import table


def test_rasa_intent_report_becomes_a_table() -> None:
    report = {
        "ask_hours": {"precision": 0.9, "recall": 0.8, "f1-score": 0.847, "support": 59},
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 4},
        "accuracy": 0.81,
        "macro avg": {"precision": 0.95, "recall": 0.65, "f1-score": 0.757, "support": 63},
    }
    lines = table(report).splitlines()
    assert lines[2] == "| ask_hours | 59 | 0.900 | 0.800 | 0.847 |"
    assert lines[3] == "| greet | 4 | 1.000 | 0.500 | 0.667 |"
    assert "| *accuracy* | | | | 0.810 |" in lines
    assert "| *macro avg* | 63 | 0.950 | 0.650 | 0.757 |" in lines

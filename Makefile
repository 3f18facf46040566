# Tandem: `make run` starts the whole product, `make test` runs every test.
# Both do their own set-up: uv, the project venv, the Rasa venv (Python 3.10), the model.
SHELL := /bin/bash
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
TANDEM := $(VENV)/bin/tandem
PYTEST_ARGS ?=

.PHONY: run test setup lint typecheck check nlu-report bench bench-loop bench-review bench-guard browsers clean

run: setup
	$(TANDEM) run

test: setup browsers
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# uv itself, installed into .tools/ with the machine's Python 3.11+ and pip.
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

# The Rasa environment and the model: each step skips itself when up to date.
setup: $(VENV)/.synced
	$(TANDEM) setup

# Debian's Chromium for the browser tests (Playwright drives it; it downloads nothing).
browsers:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need chromium: sudo apt-get install chromium"; fi; \
	fi

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy

check: lint typecheck test

# 5-fold cross-validation (about 10-15 min): per-intent precision/recall/F1 in reports/nlu/.
nlu-report: setup
	nlu/evaluation/cross_validate.sh .venv-rasa/bin/rasa reports/nlu
	$(VENV)/bin/python -m nlu.evaluation.report_table reports/nlu/intent_report.json | tee reports/nlu/intents.md

# Load: 1,000 customers, 20,000 messages through one worker process, the fake Telegram and
# Slack, the real Rasa; throughput, latencies, own time, memory, Redis vs the targets.
# `make bench BENCH_ARGS=--quick` for 50 customers and 500 messages.
BENCH_ARGS ?=
bench: setup
	$(VENV)/bin/python -m benchmarks.load $(BENCH_ARGS)

# Customer message → bot answer / → Slack card / → thread post, through the playground path.
bench-loop: setup
	$(VENV)/bin/python -m benchmarks.loop_latency

# The review dashboard over 50,000 conversations: list, search, metrics, export.
bench-review: $(VENV)/.synced
	$(VENV)/bin/python -m benchmarks.review_bench

# The reply guard: added latency for a clean reply, false alarms on ordinary replies.
bench-guard: $(VENV)/.synced
	$(VENV)/bin/python -m benchmarks.guard_bench

clean:
	rm -rf .venv .venv-rasa .tools models .tandem reports

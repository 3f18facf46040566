#!/usr/bin/env bash
# 5-fold cross-validation of config.yml against data/nlu.yml.
# Usage: nlu/evaluation/cross_validate.sh RASA_BIN OUT_DIR [CONFIG]
# Leaves Rasa's per-intent report in OUT_DIR/intent_report.json (plus
# entity reports, confusion matrix and histograms).  Takes ~10-15 min on 2 cores.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 RASA_BIN OUT_DIR [CONFIG]" >&2
  exit 2
fi
RASA_BIN=$1
OUT_DIR=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONFIG=${3:-$ROOT/config.yml}

# make relative paths independent of the cd below
if [[ "$RASA_BIN" == */* && "$RASA_BIN" != /* ]]; then RASA_BIN="$PWD/$RASA_BIN"; fi
if [[ "$CONFIG" != /* ]]; then CONFIG="$PWD/$CONFIG"; fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
cd "$ROOT"
# the custom component nlu.components.sentiment.SentimentAnalyzer is imported from the repo root
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2

start=$(date +%s)
"$RASA_BIN" test nlu \
  --nlu data/nlu.yml \
  --config "$CONFIG" \
  --cross-validation --folds 5 \
  --out "$OUT_DIR"
end=$(date +%s)

if [[ ! -f "$OUT_DIR/intent_report.json" ]]; then
  echo "cross-validation finished but $OUT_DIR/intent_report.json is missing" >&2
  exit 1
fi
echo "cross-validation took $((end - start)) s; report: $OUT_DIR/intent_report.json"

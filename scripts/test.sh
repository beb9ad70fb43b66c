#!/usr/bin/env bash
# Set up if needed, lint, then run the test suite (extra arguments go to pytest, e.g. -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ruff check . || { echo "test: ruff check found problems (ruff check --fix . repairs some)" >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"

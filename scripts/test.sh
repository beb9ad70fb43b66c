#!/usr/bin/env bash
# Set up if needed, lint, then run the test suite on every core (pytest-xdist: a worker per core, at most 4, as
# many tests start processes and compiled passes of their own; each test file on one worker, so a module's
# fixture is made once). Extra arguments go to pytest, e.g. -m "not slow", or -n 0 to run in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ruff check . || { echo "test: ruff check found problems (ruff check --fix . repairs some)" >&2; exit 1; }
cores=$(nproc 2>/dev/null || echo 2)
exec .venv/bin/python -m pytest -n $(( cores < 4 ? cores : 4 )) --dist loadfile "$@"

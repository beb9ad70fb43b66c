#!/usr/bin/env bash
# Set up if needed, then run the main job (extra arguments are Hydra overrides, e.g. policy=pep seed=2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m experiments.run "$@"

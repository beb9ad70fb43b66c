#!/usr/bin/env bash
# Set up if needed, then run the main job: every scenario over 5 seeds and the comparison table
# (extra arguments are Hydra overrides, e.g. population.size=20000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m experiments.run +experiment=compare "$@"

"""Where the project's folders are: one home for the repository root, the configs and the results."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "conf"
RESULTS = ROOT / "results"

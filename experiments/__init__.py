"""Configs to runs to tables, and what is made of them, in three parts:

- experiments.runs: the run machinery (config schema, one run and its folder, sweeps, tables, comparison);
- experiments.workshop: figures, report, vocabulary and the interactive page (tables in, pictures out);
- experiments.analyses: validation, calibration, sensitivity, county histories, scenario discovery.

The commands are `python -m experiments.<command>` (run, compare, figures, report, app, validate, calibrate,
sensitivity, history, discover, paramdoc). From Python: `from experiments import simulate, simulate_many`
(experiments.api; docs/api.md).
"""

from __future__ import annotations

_API = ("simulate", "simulate_many", "Result", "ConfiguredModel", "compose", "model_params")


def __getattr__(name: str):
    if name in _API:   # on first use, so that importing a submodule does not load Hydra and Mesa
        from experiments import api  # noqa: PLC0415

        return getattr(api, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
